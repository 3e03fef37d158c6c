import { ApiKeyCreated, ApiKeyRevoked, ApiKeyUpdated } from '@switchyard/contracts';
import type { ApiKeyEvent } from '../../src/api-keys';
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

/** The key the event builders below are about. */
export const KEY = handMadeApiKey();

// Messages are parsed with the real contracts, so the tests fail if the projection drifts from them.
export function created(time: string, overrides: Record<string, unknown> = {}): ApiKeyEvent {
  return {
    detailType: 'ApiKeyCreated',
    message: ApiKeyCreated.schema.parse({
      ...header(`msg-created-${time}`, time),
      keyId: KEY.keyId,
      role: 'creator',
      status: 'active',
      secretHash: KEY.secretHash,
      createdAt: time,
      ...overrides,
    }),
  };
}

export function updated(
  time: string,
  next: { status: 'active' | 'inactive'; role: 'viewer' | 'creator' | 'admin'; expiresAt?: string },
): ApiKeyEvent {
  return {
    detailType: 'ApiKeyUpdated',
    message: ApiKeyUpdated.schema.parse({
      ...header(`msg-updated-${time}`, time),
      keyId: KEY.keyId,
      old: { status: 'active', role: 'creator' },
      new: next,
      updatedAt: time,
    }),
  };
}

export function revoked(time: string): ApiKeyEvent {
  return {
    detailType: 'ApiKeyRevoked',
    message: ApiKeyRevoked.schema.parse({
      ...header(`msg-revoked-${time}`, time),
      keyId: KEY.keyId,
      revokedAt: time,
    }),
  };
}
