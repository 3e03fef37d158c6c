/**
 * API key use cases, shared by the tenant-admin routes (`/keys`) and their operator twins
 * (`/operator/...`): the handler decides who acts on which tenant (a tenant admin on their own, an
 * operator on the tenant the route names) and passes it as a `KeyScope`; what happens next is the
 * same for both.
 */
import { conflict, decodeCursor, encodeCursor, notFound, validationFailed } from '@switchyard/runtime';
import type { Page, RevokeOutcome } from '../adapters/identity-store';
import type { CreateKeyBody, ListKeysQuery } from '../api-schemas';
import { cursorScope } from '../api-schemas';
import type { ApiKeySummary } from '../domain/api-keys';
import { newApiKey, toApiKeySummary } from '../domain/api-keys';
import type { IdentityDeps } from './deps';

/** The tenant whose keys a request manages, and who acts (recorded as `createdBy` / `revokedBy` / `updatedBy`). */
export interface KeyScope {
  tenantId: string;
  actorId: string;
}

/** A new key as its creator sees it: the summary and, this once, the plaintext `key`. */
export type CreatedApiKey = ApiKeySummary & { key: string };

export async function createApiKey(
  deps: IdentityDeps,
  scope: KeyScope,
  request: CreateKeyBody,
): Promise<CreatedApiKey> {
  const now = deps.now();
  const expiresAt = request.expiresAt === undefined ? undefined : new Date(request.expiresAt);
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    throw validationFailed([{ path: 'expiresAt', message: 'must be in the future' }]);
  }
  const key = newApiKey(
    {
      tenantId: scope.tenantId,
      role: request.role,
      environment: deps.environment,
      createdBy: scope.actorId,
      ...(request.description === undefined ? {} : { name: request.description }),
      ...(request.ownerEmail === undefined ? {} : { ownerEmail: request.ownerEmail }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
    },
    { now, random: deps.random },
  );
  await deps.store.createApiKey(key.record);
  return { ...toApiKeySummary(key.record), key: key.plaintext };
}

/**
 * One page of a tenant's listing (`keys`, `users`) as clients see it: the cursor is the store's
 * last key, signed and bound to the tenant and the listing.
 */
export async function listTenantPage<R, V>(
  deps: Pick<IdentityDeps, 'store'>,
  input: { tenantId: string; listing: 'keys' | 'users'; query: ListKeysQuery },
  fetch: (options: { limit: number; startKey?: Record<string, unknown> }) => Promise<Page<R>>,
  view: (record: R) => V,
): Promise<{ items: V[]; nextCursor: string | null }> {
  const secret = await deps.store.cursorSecret();
  const scope = { scope: cursorScope(input.tenantId, input.listing) };
  const page = await fetch({
    limit: input.query.limit,
    ...(input.query.cursor ? { startKey: decodeCursor(input.query.cursor, secret, scope) } : {}),
  });
  return {
    items: page.items.map(view),
    nextCursor: page.lastKey ? encodeCursor(page.lastKey, secret, scope) : null,
  };
}

/** One page of a tenant's keys, newest first; the cursor is signed and bound to the tenant. */
export function listApiKeys(
  deps: Pick<IdentityDeps, 'store'>,
  tenantId: string,
  query: ListKeysQuery,
): Promise<{ items: ApiKeySummary[]; nextCursor: string | null }> {
  return listTenantPage(
    deps,
    { tenantId, listing: 'keys', query },
    (options) => deps.store.listApiKeys(tenantId, options),
    toApiKeySummary,
  );
}

/**
 * Revokes a key of the scope's tenant for good (404 for a missing key and for another tenant's).
 * Idempotent: an already revoked key is `already_revoked`, without a second ApiKeyRevoked.
 */
export async function revokeApiKey(
  deps: IdentityDeps,
  scope: KeyScope,
  keyId: string,
): Promise<Exclude<RevokeOutcome, 'not_found'>> {
  const outcome = await deps.store.revokeApiKey(scope.tenantId, keyId, {
    now: deps.now(),
    revokedBy: scope.actorId,
  });
  if (outcome === 'not_found') throw notFound('No such API key.');
  return outcome;
}

/** Revokes any tenant's key (operators): the key's own tenant is the scope. 404 for an unknown key. */
export async function revokeAnyApiKey(
  deps: IdentityDeps,
  actorId: string,
  keyId: string,
): Promise<{ tenantId: string; keyId: string; outcome: Exclude<RevokeOutcome, 'not_found'> }> {
  const key = await deps.store.getApiKey(keyId);
  if (!key) throw notFound('No such API key.');
  const outcome = await revokeApiKey(deps, { tenantId: key.tenantId, actorId }, key.keyId);
  return { tenantId: key.tenantId, keyId: key.keyId, outcome };
}

/**
 * Revokes every key owned by `email`: in `tenantId` only, or in every tenant when it is undefined
 * (operators); with `createdBefore`, only keys created no later than that (a late replay of a
 * person's removal spares the keys of whoever holds the address now). Returns the keys this call
 * revoked; already revoked ones are not repeated.
 */
export async function revokeApiKeysOwnedBy(
  deps: IdentityDeps,
  input: { email: string; tenantId: string | undefined; actorId: string; createdBefore?: string },
): Promise<string[]> {
  const owned = (await deps.store.apiKeysByOwnerEmail(input.email)).filter(
    (key) =>
      (input.tenantId === undefined || key.tenantId === input.tenantId) &&
      (input.createdBefore === undefined || key.createdAt <= input.createdBefore) &&
      key.status !== 'revoked',
  );
  const now = deps.now();
  const revoked: string[] = [];
  for (const key of owned) {
    const outcome = await deps.store.revokeApiKey(key.tenantId, key.keyId, { now, revokedBy: input.actorId });
    if (outcome === 'revoked') revoked.push(key.keyId);
  }
  return revoked;
}

/** Pauses or resumes a key of the scope's tenant (ApiKeyUpdated); a revoked key cannot come back (409). */
export async function changeApiKeyStatus(
  deps: IdentityDeps,
  scope: KeyScope,
  keyId: string,
  status: 'active' | 'inactive',
): Promise<ApiKeySummary> {
  const result = await deps.store.changeApiKeyStatus(scope.tenantId, keyId, status, {
    now: deps.now(),
    updatedBy: scope.actorId,
  });
  if (result.outcome === 'not_found') throw notFound('No such API key.');
  if (result.outcome === 'forbidden') throw conflict(result.message, { code: 'invalid_transition' });
  return toApiKeySummary(result.key);
}
