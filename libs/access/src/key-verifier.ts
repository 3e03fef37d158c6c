/**
 * Verifies `Authorization: Bearer <api key>` against a service's key projection: one lookup by the
 * key id inside the key (never a scan, never a call to identity), then the constant-time check.
 *
 * A record read from the projection may be reused by this Lambda instance for less than 2 s
 * (`KEY_CACHE_TTL_MS`): a revoked key therefore stops working at most 2 s after its ApiKeyRevoked
 * has been projected, without a table read on every request. The cache holds projection records
 * (secret hashes), never presented keys, and caches absent records for 2 s too
 * (NEGATIVE_CACHE_TTL_MS), enough to absorb a flood of unknown keys yet short enough that a key used
 * right after its creation is soon accepted.
 *
 * Every authentication failure is the same 401 (the reason is logged, never the key). Which role may
 * do what is the calling service's business.
 */
import { logger, unauthorized } from '@switchyard/runtime';
import type { ApiKeyProjection, AuthenticatedKey } from './api-keys';
import {
  bearerToken,
  isCacheEntryFresh,
  KEY_CACHE_TTL_MS,
  NEGATIVE_CACHE_TTL_MS,
  parseApiKey,
  UNAUTHENTICATED_MESSAGE,
  verifyPresentedKey,
} from './api-keys';

/** Bound on the number of cached records per instance (oldest evicted first). */
const MAX_CACHE_ENTRIES = 10_000;

interface CacheEntry {
  record: ApiKeyProjection | undefined;
  cachedAtMs: number;
}

export interface KeyVerifier {
  /** The verified key of a request with `headers` (lower- or title-case), or a 401 HttpError. */
  verify(headers: Record<string, string | undefined>): Promise<AuthenticatedKey>;
  clearCache(): void;
}

export function createKeyVerifier(deps: {
  getApiKey: (keyId: string) => Promise<ApiKeyProjection | undefined>;
  now?: () => Date;
  ttlMs?: number;
}): KeyVerifier {
  const cache = new Map<string, CacheEntry>();
  const now = deps.now ?? (() => new Date());
  const ttlMs = Math.min(deps.ttlMs ?? KEY_CACHE_TTL_MS, KEY_CACHE_TTL_MS);

  async function lookup(keyId: string, at: Date): Promise<ApiKeyProjection | undefined> {
    const hit = cache.get(keyId);
    if (hit) {
      const bound = hit.record === undefined ? Math.min(ttlMs, NEGATIVE_CACHE_TTL_MS) : ttlMs;
      if (isCacheEntryFresh(hit.cachedAtMs, at, bound)) return hit.record;
      cache.delete(keyId);
    }
    const record = await deps.getApiKey(keyId);
    if (cache.size >= MAX_CACHE_ENTRIES) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(keyId, { record, cachedAtMs: at.getTime() });
    return record;
  }

  return {
    async verify(headers) {
      const authorization = headers.authorization ?? headers.Authorization;
      const presented = bearerToken(authorization);
      const parsed = parseApiKey(presented);
      const at = now();
      const record = parsed ? await lookup(parsed.keyId, at) : undefined;
      const verified = verifyPresentedKey(presented, record, at);
      if (!verified.ok) {
        logger.info('authentication_failed', {
          reason: verified.reason,
          ...(parsed ? { keyId: parsed.keyId } : {}),
        });
        throw unauthorized(UNAUTHENTICATED_MESSAGE, { headers: { 'WWW-Authenticate': 'Bearer' } });
      }
      return verified.key;
    },
    clearCache() {
      cache.clear();
    },
  };
}
