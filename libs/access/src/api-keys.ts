/**
 * A service's own projection of identity's API keys (event-carried state transfer: no service reads
 * identity's table or calls its API), and the request-time checks built on it. Shared by every
 * service that accepts API keys (ingest, delivery); each keeps the projection in its own table.
 *
 * The key format and hash are identity's (`sy_<live|test>_<keyId>_<secret>`, secretHash = lowercase
 * hex SHA-256 of the secret). Services never import each other's code, so what they need (parsing
 * and constant-time verification) lives here; the format is part of identity's public contract, and
 * the tests pin it with keys built by hand.
 *
 * Verification is O(1): the keyId inside the presented key is the projection's partition key (one
 * GetItem), then one SHA-256 and one constant-time compare (the seed scanned every key and ran
 * bcrypt on each).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyCreated, ApiKeyRevoked, ApiKeyUpdated } from '@switchyard/contracts';

export type Role = 'viewer' | 'creator' | 'admin';
export type KeyStatus = 'active' | 'inactive' | 'revoked';

/** Order of a change: its time, then its message id so equal times still converge the same way. */
export interface ChangeStamp {
  time: string;
  messageId: string;
}

/**
 * One key as ingest knows it. Fields from ApiKeyCreated (tenantId, secretHash) may be missing while
 * only a later Updated/Revoked has arrived (out-of-order delivery); such a record never authenticates.
 */
export interface ApiKeyProjection {
  keyId: string;
  tenantId: string;
  role?: Role;
  status: KeyStatus;
  secretHash?: string;
  expiresAt?: string;
  createdAt?: string;
  revokedAt?: string;
  /** Stamp of the change the mutable fields (role, status, expiresAt) come from. */
  stamp: ChangeStamp;
  /** Incremented on every applied change: adapters write with `#revision = :previous`. */
  revision: number;
}

export type ApiKeyEvent =
  | { detailType: 'ApiKeyCreated'; message: ApiKeyCreated }
  | { detailType: 'ApiKeyUpdated'; message: ApiKeyUpdated }
  | { detailType: 'ApiKeyRevoked'; message: ApiKeyRevoked };

export type ProjectionResult =
  | { outcome: 'applied'; record: ApiKeyProjection }
  /** Older than (or the same as) what is stored, or after revocation: nothing to write. */
  | { outcome: 'ignored'; record: ApiKeyProjection; reason: 'stale' | 'revoked' | 'redelivered' };

export function isNewer(a: ChangeStamp, b: ChangeStamp): boolean {
  const ta = Date.parse(a.time);
  const tb = Date.parse(b.time);
  if (ta !== tb) return ta > tb;
  return a.messageId > b.messageId;
}

function stampOf(event: ApiKeyEvent): ChangeStamp {
  const { message } = event;
  const time =
    event.detailType === 'ApiKeyCreated'
      ? event.message.createdAt
      : event.detailType === 'ApiKeyUpdated'
        ? event.message.updatedAt
        : event.message.revokedAt;
  return { time, messageId: message.id };
}

/**
 * Applies one identity event to the stored record (or to nothing). Rules:
 *  - mutable fields change only when the event is newer than the stored stamp;
 *  - revocation is final: once revoked, nothing changes the status again, whatever its time;
 *  - ApiKeyCreated's immutable fields (tenant, secret hash) fill a record that a later event created
 *    first, without undoing that later event;
 *  - a record always belongs to one tenant; an event claiming another tenant is an error (DLQ).
 */
export function applyApiKeyEvent(
  current: ApiKeyProjection | undefined,
  event: ApiKeyEvent,
): ProjectionResult {
  const { message } = event;
  if (current && current.tenantId !== message.tenantId) {
    throw new Error(`${event.detailType} ${message.id}: key ${message.keyId} belongs to another tenant`);
  }
  const stamp = stampOf(event);
  const newer = !current || isNewer(stamp, current.stamp);
  const base: ApiKeyProjection = current ?? {
    keyId: message.keyId,
    tenantId: message.tenantId,
    status: 'inactive',
    stamp,
    revision: 0,
  };

  switch (event.detailType) {
    case 'ApiKeyCreated': {
      const created = event.message;
      const fillsImmutable = base.secretHash === undefined;
      if (!newer && !fillsImmutable) return ignored(current, stamp);
      const next: ApiKeyProjection = {
        ...base,
        secretHash: created.secretHash,
        createdAt: created.createdAt,
      };
      if (newer && base.status !== 'revoked') {
        next.role = created.role;
        next.status = created.status;
        setExpiry(next, created.expiresAt);
        next.stamp = stamp;
      } else if (next.role === undefined) {
        // An older Created still tells the role when nothing newer did (a Revoked came first).
        next.role = created.role;
      }
      return applied(next, current);
    }
    case 'ApiKeyUpdated': {
      if (base.status === 'revoked') return { outcome: 'ignored', record: base, reason: 'revoked' };
      if (!newer) return ignored(current, stamp);
      const state = event.message.new;
      const next: ApiKeyProjection = { ...base, role: state.role, status: state.status, stamp };
      setExpiry(next, state.expiresAt);
      return applied(next, current);
    }
    case 'ApiKeyRevoked': {
      if (current && current.status === 'revoked')
        return { outcome: 'ignored', record: current, reason: 'revoked' };
      // Final whatever its time: a revocation older than an update still wins.
      const next: ApiKeyProjection = {
        ...base,
        status: 'revoked',
        revokedAt: event.message.revokedAt,
        stamp: newer ? stamp : base.stamp,
      };
      return applied(next, current);
    }
  }
}

function setExpiry(record: ApiKeyProjection, expiresAt: string | undefined): void {
  if (expiresAt === undefined) delete record.expiresAt;
  else record.expiresAt = expiresAt;
}

function applied(next: ApiKeyProjection, current: ApiKeyProjection | undefined): ProjectionResult {
  return { outcome: 'applied', record: { ...next, revision: (current?.revision ?? 0) + 1 } };
}

function ignored(current: ApiKeyProjection | undefined, stamp: ChangeStamp): ProjectionResult {
  // `current` exists here: without a record every event is newer.
  const record = current as ApiKeyProjection;
  const same = record.stamp.messageId === stamp.messageId && record.stamp.time === stamp.time;
  return { outcome: 'ignored', record, reason: same ? 'redelivered' : 'stale' };
}

// ---------------------------------------------------------------------------------------------------
// Presented keys

/** Identity's format (see the module comment): keyId is 20 Crockford base32 characters, the secret 43 base64url. */
const KEY_PATTERN = /^sy_(live|test)_([0-9a-hjkmnp-tv-z]{20})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiKey {
  environment: 'live' | 'test';
  keyId: string;
  secret: string;
}

/** Splits a presented key; anything malformed is `null`, never an exception. Surrounding spaces are tolerated. */
export function parseApiKey(text: unknown): ParsedApiKey | null {
  if (typeof text !== 'string' || text.length > 200) return null;
  const match = KEY_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, environment, keyId, secret] = match;
  if (!environment || !keyId || !secret) return null;
  // Only the canonical base64url of 32 bytes is a real secret (43 characters carry 258 bits).
  if (Buffer.from(secret, 'base64url').toString('base64url') !== secret) return null;
  return { environment: environment as 'live' | 'test', keyId, secret };
}

/** `Authorization: Bearer <key>` → the key; anything else → null. */
export function bearerToken(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}

/** What every authentication failure says to the caller: nothing about why. */
export const UNAUTHENTICATED_MESSAGE = 'Missing or invalid API key';

export type UnauthenticatedReason = 'malformed' | 'unknown' | 'mismatch' | 'revoked' | 'inactive' | 'expired';

export interface AuthenticatedKey {
  keyId: string;
  tenantId: string;
  role: Role;
}

export type VerifyResult =
  | { ok: true; key: AuthenticatedKey }
  | {
      ok: false;
      status: 401;
      code: 'unauthorized';
      message: typeof UNAUTHENTICATED_MESSAGE;
      /** For logs and metrics only, never the response. */
      reason: UnauthenticatedReason;
    };

const HEX_SHA256 = /^[a-f0-9]{64}$/;
// Compared against when there is no usable record, so every path does the same hashing work.
const DUMMY_HASH = Buffer.alloc(32);

function secretMatches(secret: string, secretHash: string | undefined): boolean {
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  const usable = secretHash !== undefined && HEX_SHA256.test(secretHash);
  const expected = usable ? Buffer.from(secretHash, 'hex') : DUMMY_HASH;
  // Fixed-length digests: timing does not reveal how much of the hash matched.
  return timingSafeEqual(presented, expected) && usable;
}

/**
 * Checks a presented key against the record found by its keyId. The secret is compared before the
 * status, so a revoked key's holder learns nothing a stranger would not. The environment is not in
 * the projection (ApiKeyCreated does not carry it); the keyId alone (100 random bits) is the identity.
 */
export function verifyPresentedKey(
  presented: string | null | undefined,
  record: ApiKeyProjection | undefined,
  now: Date,
): VerifyResult {
  const fail = (reason: UnauthenticatedReason): VerifyResult => ({
    ok: false,
    status: 401,
    code: 'unauthorized',
    message: UNAUTHENTICATED_MESSAGE,
    reason,
  });
  const parsed = parseApiKey(presented);
  if (!parsed) return fail('malformed');
  const usable = record !== undefined && record.keyId === parsed.keyId && record.secretHash !== undefined;
  const matches = secretMatches(parsed.secret, usable ? record.secretHash : undefined);
  if (!usable || record.role === undefined) return fail('unknown');
  if (!matches) return fail('mismatch');
  if (record.status === 'revoked') return fail('revoked');
  if (record.status === 'inactive') return fail('inactive');
  if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now.getTime()) return fail('expired');
  return { ok: true, key: { keyId: record.keyId, tenantId: record.tenantId, role: record.role } };
}

/**
 * How long a Lambda instance may reuse a projection record it read. Bounded so a revoked or
 * suspended key stops working everywhere within seconds: 2 s here plus the bus's delivery of the
 * ApiKeyRevoked event (about 1–2.5 s). The price is one eventually consistent GetItem per key per
 * instance every 2 s (half a read unit per second), however many requests the key makes.
 */
export const KEY_CACHE_TTL_MS = 2_000;

/** Unknown keys are re-read after 2 s, so a key used right after its creation works quickly. */
export const NEGATIVE_CACHE_TTL_MS = 2_000;

export function isCacheEntryFresh(cachedAtMs: number, now: Date, ttlMs: number = KEY_CACHE_TTL_MS): boolean {
  const age = now.getTime() - cachedAtMs;
  return age >= 0 && age < Math.min(ttlMs, KEY_CACHE_TTL_MS);
}
