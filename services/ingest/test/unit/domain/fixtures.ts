import { handMadeApiKey } from '@switchyard/access';
import type { EventItem } from '../../../src/adapters/event-store';
import { toEventItem } from '../../../src/adapters/event-store';

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

export function jsonRequest(body: unknown, headers: Record<string, string> = {}) {
  return {
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** An event item as the events table stores it (tenant TENANT, key key1, correlation id corr-9). */
export function storedEventItem(
  payload: Record<string, unknown>,
  eventId = '01JX0000000000000000000000',
): EventItem {
  return toEventItem(
    {
      format: 'native',
      eventType: 'order.placed',
      payload,
      source: 'api',
      attributes: {},
      tenantId: TENANT,
      eventId,
      receivedAt: NOW.toISOString(),
      apiKeyId: 'key1',
    },
    'corr-9',
  );
}
