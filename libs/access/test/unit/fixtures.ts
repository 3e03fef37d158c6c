import { handMadeApiKey } from '../../src/testing';

export const NOW = new Date('2025-06-01T12:00:00.000Z');
export const TENANT = 'ten_01hzy8d7s3k2';
export const OTHER_TENANT = 'ten_other';

export const seconds = (n: number) => n * 1000;
export const at = (base: Date, deltaMs: number) => new Date(base.getTime() + deltaMs);

/** Message header the contracts require, with a fixed correlation id. */
export function header(id: string, time: string, tenantId: string = TENANT) {
  return { version: 1 as const, id, time, tenantId, correlationId: 'corr-1' };
}

/** A key in identity's published format, built by hand so tests pin the format. */
export const makeKey = handMadeApiKey;
