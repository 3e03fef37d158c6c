/**
 * Who is calling: `Authorization: Bearer <api key>` (ingest takes no person's token), read by the
 * shared bearer check of @switchyard/access and verified against ingest's own projection of
 * identity's keys (one GetItem by the key id inside the key, never a scan, never a call to
 * identity; records cached for less than 2 s, so a revoked key stops working at most 2 s after
 * its ApiKeyRevoked has been projected), then checks the role against the action.
 *
 * Every authentication failure is the same 401 (the reason is logged, never the key).
 */
import type { AuthenticatedKey, KeyVerifier } from '@switchyard/access';
import { authenticateBearer, createKeyVerifier, UNAUTHENTICATED_MESSAGE } from '@switchyard/access';
import { forbidden } from '@switchyard/runtime';
import type { Action } from '../domain/permissions';
import { authorize } from '../domain/permissions';
import { projectionStore } from './projections';

export type AuthenticatedCaller = AuthenticatedKey;

/** The caller allowed to perform `action`, or an HttpError (401 bad key, 403 role may not). */
export async function authorizeCaller(
  verifier: KeyVerifier,
  headers: Record<string, string | undefined>,
  action: Action,
): Promise<AuthenticatedCaller> {
  const { key } = await authenticateBearer(headers, {
    verifyApiKey: () => verifier.verify(headers),
    message: UNAUTHENTICATED_MESSAGE,
  });
  const allowed = authorize(key.role, action);
  if (!allowed.ok) throw forbidden(allowed.message);
  return key;
}

const defaultVerifier = createKeyVerifier({ getApiKey: (keyId) => projectionStore().getApiKey(keyId) });

/**
 * The caller of a request with `headers` (any case), allowed to perform `action`, or an HttpError:
 * 401 for a missing, malformed, unknown, revoked, inactive or expired key; 403 when its role may not.
 */
export function authenticate(
  headers: Record<string, string | undefined>,
  action: Action,
): Promise<AuthenticatedCaller> {
  return authorizeCaller(defaultVerifier, headers, action);
}

/** Tests only. */
export function clearKeyCacheForTests(): void {
  defaultVerifier.clearCache();
}
