/**
 * Who is behind `Authorization: Bearer <token>`: an API key (checked against the service's own
 * records by `verifyApiKey`) or, where the service lets people act, a person's JWT (`verifyPerson`).
 * The one place that tells the two apart, for every service's caller check; which roles may do
 * what stays the service's business.
 *
 * Every refusal, whatever its reason, is the same 401 with the service's message and
 * `WWW-Authenticate: Bearer`; the reason is logged (`authentication_failed`), never the token.
 * Anything else that goes wrong (the key store is down, the issuer is not configured) is thrown
 * on as it is: a 500, not the caller's fault.
 */
import { ConfigError, isHttpError, logger, unauthorized } from '@switchyard/runtime';
import { bearerToken, parseApiKey } from './api-keys';
import type { Person } from './person-tokens';
import { looksLikeJwt } from './person-tokens';

export type BearerCaller<K> = { kind: 'apiKey'; key: K } | { kind: 'person'; person: Person };

export interface BearerAuthOptions<K> {
  /**
   * Checks a token in API key form (`sy_<live|test>_…`). Refuses by returning undefined or by
   * throwing a 401 HttpError (as a key verifier's `verify(headers)` does); logs why itself.
   */
  verifyApiKey: (token: string) => Promise<K | undefined>;
  /** Verifies a person's id or access token (throws when invalid). Without it only API keys pass. */
  verifyPerson?: (token: string) => Promise<Person>;
  /** The message of every 401. */
  message: string;
  log?: { info(message: string, extra?: Record<string, unknown>): void };
}

/** API keys only (no `verifyPerson`): the caller is always a key. */
export function authenticateBearer<K>(
  headers: Record<string, string | undefined>,
  options: BearerAuthOptions<K> & { verifyPerson?: undefined },
): Promise<{ kind: 'apiKey'; key: K }>;
export function authenticateBearer<K>(
  headers: Record<string, string | undefined>,
  options: BearerAuthOptions<K>,
): Promise<BearerCaller<K>>;
export async function authenticateBearer<K>(
  headers: Record<string, string | undefined>,
  options: BearerAuthOptions<K>,
): Promise<BearerCaller<K>> {
  const log = options.log ?? logger;
  const refusal = () => unauthorized(options.message, { headers: { 'WWW-Authenticate': 'Bearer' } });
  const refuse = (reason: string, detail?: string): never => {
    log.info('authentication_failed', { reason, ...(detail === undefined ? {} : { detail }) });
    throw refusal();
  };

  const token = bearerToken(headers.authorization ?? headers.Authorization);
  if (!token) return refuse('no bearer token');

  if (parseApiKey(token)) {
    let key: K | undefined;
    try {
      key = await options.verifyApiKey(token);
    } catch (error) {
      // The verifier logged why; answer with this service's one message whatever it said.
      if (!isHttpError(error) || error.status !== 401) throw error;
    }
    if (key === undefined) throw refusal();
    return { kind: 'apiKey', key };
  }

  // Anything else must at least look like a JWT; an API key with a typo is refused here too.
  if (!options.verifyPerson || !looksLikeJwt(token)) return refuse('malformed bearer token');
  try {
    return { kind: 'person', person: await options.verifyPerson(token) };
  } catch (error) {
    // A missing issuer configuration is a deployment bug: a 500, not the caller's fault.
    if (error instanceof ConfigError) throw error;
    return refuse('person token refused', error instanceof Error ? error.message : 'invalid');
  }
}
