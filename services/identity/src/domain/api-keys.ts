/**
 * API keys for producers and subscribers: format, hashing, verification, roles, statuses and the
 * last-used write policy. Pure: randomness and time come in as parameters.
 *
 * Format: `sy_<env>_<keyId>_<secret>`
 *  - env: `live` or `test`, so a leaked key's blast radius is visible at a glance (and to scanners);
 *  - keyId: 20 lowercase Crockford base32 characters (100 random bits). It is public, it is the
 *    table key, and it has no `_`, so the string splits unambiguously;
 *  - secret: 32 random bytes as base64url (43 characters; may contain `_`, it is the last part).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ParsedApiKey } from '@switchyard/access';
import { parseApiKey } from '@switchyard/access';
import { z } from 'zod';
import type { RandomBytes } from './random';
import { randomBase32 } from './random';

export const API_KEY_PREFIX = 'sy';
export const KEY_ENVIRONMENTS = ['live', 'test'] as const;
export type KeyEnvironment = (typeof KEY_ENVIRONMENTS)[number];

export const KEY_ID_LENGTH = 20;
export const SECRET_BYTES = 32;
/** Production stages issue `live` keys; every other stage (dev, local, pr-123) issues `test` keys. */
export function environmentForStage(stage: string): KeyEnvironment {
  return ['prod', 'production'].includes(stage.toLowerCase()) ? 'live' : 'test';
}

export interface GeneratedApiKey {
  keyId: string;
  secret: string;
  environment: KeyEnvironment;
  /** The whole key, shown to its owner once and never stored. */
  plaintext: string;
  /** What is stored and published: lowercase hex SHA-256 of the secret. */
  secretHash: string;
}

export function generateApiKey(random: RandomBytes, environment: KeyEnvironment = 'live'): GeneratedApiKey {
  const keyId = randomBase32(random, KEY_ID_LENGTH);
  const secretBytes = random(SECRET_BYTES);
  if (secretBytes.length !== SECRET_BYTES)
    throw new RangeError(`random source returned ${secretBytes.length} bytes`);
  const secret = Buffer.from(secretBytes).toString('base64url');
  return {
    keyId,
    secret,
    environment,
    plaintext: `${API_KEY_PREFIX}_${environment}_${keyId}_${secret}`,
    secretHash: hashSecret(secret),
  };
}

// Presented keys are parsed by the one reader every service shares (@switchyard/access), so the
// format is defined for readers in one place; identity's tests pin it against generateApiKey.
export type { ParsedApiKey };
export { parseApiKey };

/**
 * SHA-256, not bcrypt/scrypt: a slow hash protects low-entropy passwords from guessing, but a
 * 256-bit random secret cannot be guessed however fast the hash is. A fast hash lets ingest verify
 * a key on every request with one lookup by keyId and one compare (the seed scanned every key and
 * ran bcrypt on each: O(n) and ~100 ms per key).
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

const HEX_SHA256 = /^[a-f0-9]{64}$/;

/** Constant-time: compares fixed-length digests, so timing does not reveal how much of a hash matched. */
export function verifySecret(secret: string, secretHash: string): boolean {
  if (!HEX_SHA256.test(secretHash)) return false;
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(presented, Buffer.from(secretHash, 'hex'));
}

// Roles, least to most privileged (the same order as the contracts' `role` field).
export const ROLES = ['viewer', 'creator', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** Publishing events needs creator or admin; viewers only read. */
export function canPublish(role: Role): boolean {
  return role === 'creator' || role === 'admin';
}

/** Managing keys, users and the tenant needs admin. */
export function canAdminister(role: Role): boolean {
  return role === 'admin';
}

export const KEY_STATUSES = ['active', 'inactive', 'revoked'] as const;
export const keyStatusSchema = z.enum(KEY_STATUSES);
export type KeyStatus = z.infer<typeof keyStatusSchema>;

const ALLOWED: Record<KeyStatus, readonly KeyStatus[]> = {
  active: ['inactive', 'revoked'],
  inactive: ['active', 'revoked'],
  // Revocation is final: a leaked key must never come back, whatever a later request says.
  revoked: [],
};

export function canTransition(from: KeyStatus, to: KeyStatus): boolean {
  return ALLOWED[from].includes(to);
}

export type TransitionResult =
  | { outcome: 'changed'; status: KeyStatus }
  /** Asking for the current status is a no-op, so retries (revoke twice) succeed without a write. */
  | { outcome: 'unchanged'; status: KeyStatus }
  | { outcome: 'forbidden'; status: KeyStatus; message: string };

export function transitionStatus(from: KeyStatus, to: KeyStatus): TransitionResult {
  if (from === to) return { outcome: 'unchanged', status: from };
  if (canTransition(from, to)) return { outcome: 'changed', status: to };
  return { outcome: 'forbidden', status: from, message: `a ${from} key cannot become ${to}` };
}

/** A stored key. The secret is not here: only its hash. */
export interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  environment: KeyEnvironment;
  role: Role;
  status: KeyStatus;
  secretHash: string;
  name?: string;
  ownerEmail?: string;
  createdBy?: string;
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export interface NewApiKeyInput {
  tenantId: string;
  role: Role;
  environment?: KeyEnvironment;
  name?: string;
  ownerEmail?: string;
  createdBy?: string;
  expiresAt?: Date;
}

export interface NewApiKey {
  record: ApiKeyRecord;
  /** Returned to the caller once; never stored or logged. */
  plaintext: string;
}

export function newApiKey(input: NewApiKeyInput, deps: { now: Date; random: RandomBytes }): NewApiKey {
  if (input.expiresAt && input.expiresAt.getTime() <= deps.now.getTime()) {
    throw new RangeError('expiresAt must be in the future');
  }
  const key = generateApiKey(deps.random, input.environment);
  const record: ApiKeyRecord = {
    keyId: key.keyId,
    tenantId: input.tenantId,
    environment: key.environment,
    role: input.role,
    status: 'active',
    secretHash: key.secretHash,
    createdAt: deps.now.toISOString(),
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.ownerEmail === undefined ? {} : { ownerEmail: input.ownerEmail }),
    ...(input.createdBy === undefined ? {} : { createdBy: input.createdBy }),
    ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt.toISOString() }),
  };
  return { record, plaintext: key.plaintext };
}

export type KeyCheck =
  | { ok: true; key: ApiKeyRecord }
  | { ok: false; reason: 'malformed' | 'unknown' | 'mismatch' | 'inactive' | 'revoked' | 'expired' };

/**
 * The whole verification, given the record found by `parseApiKey(text).keyId` (one lookup).
 * Callers answer every failure with the same 401; the reason is for logs and metrics only.
 */
export function checkApiKey(presented: string, record: ApiKeyRecord | undefined, now: Date): KeyCheck {
  const parsed = parseApiKey(presented);
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (!record || record.keyId !== parsed.keyId || record.environment !== parsed.environment) {
    return { ok: false, reason: 'unknown' };
  }
  // Compare the secret before looking at status, so a revoked key's holder learns nothing new.
  if (!verifySecret(parsed.secret, record.secretHash)) return { ok: false, reason: 'mismatch' };
  if (record.status === 'revoked') return { ok: false, reason: 'revoked' };
  if (record.status === 'inactive') return { ok: false, reason: 'inactive' };
  if (record.expiresAt && Date.parse(record.expiresAt) <= now.getTime())
    return { ok: false, reason: 'expired' };
  return { ok: true, key: record };
}

export const LAST_USED_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Last-used is informational, so it is written at most once per interval per key instead of on every
 * request (a write per request would double the cost of the hot path and throttle hot keys).
 * A `lastUsedAt` far in the future (clock skew, bad data) is corrected rather than trusted forever.
 */
export function shouldRecordLastUsed(
  lastUsedAt: Date | string | undefined,
  now: Date,
  intervalMs: number = LAST_USED_INTERVAL_MS,
): boolean {
  if (lastUsedAt === undefined) return true;
  const last = typeof lastUsedAt === 'string' ? Date.parse(lastUsedAt) : lastUsedAt.getTime();
  if (Number.isNaN(last)) return true;
  const elapsed = now.getTime() - last;
  return elapsed >= intervalMs || elapsed <= -intervalMs;
}

/**
 * The cut-off for the conditional write (`attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff`),
 * so concurrent Lambdas that all decided to record collapse into one successful write.
 */
export function lastUsedCutoff(now: Date, intervalMs: number = LAST_USED_INTERVAL_MS): string {
  return new Date(now.getTime() - intervalMs).toISOString();
}

/** How a key is shown in lists, logs and the CLI: enough to recognise it, never the secret. */
export function displayApiKey(key: { keyId: string; environment?: KeyEnvironment }): string {
  return `${API_KEY_PREFIX}_${key.environment ?? 'live'}_${key.keyId}_…`;
}

/** A key as people see it: the record without its secret hash, and how it is displayed. */
export type ApiKeySummary = Omit<ApiKeyRecord, 'secretHash'> & { display: string };

/** The listing shape: drops the secret hash too (it is a verifier, useless to a human, and not theirs to copy). */
export function toApiKeySummary(record: ApiKeyRecord): ApiKeySummary {
  const { secretHash: _secretHash, ...rest } = record;
  return { ...rest, display: displayApiKey(record) };
}
