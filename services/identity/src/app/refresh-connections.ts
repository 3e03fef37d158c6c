/**
 * The refresh job's use case: every connection whose tokens expire within the window is refreshed,
 * one at a time, under a lease so overlapping runs never spend the same single-use refresh token.
 */
import { logger } from '@switchyard/runtime';
import type { ConnectionStore, ReauthReason } from '../adapters/connection-store';
import { TokenEndpointError } from '../adapters/oauth-client';
import type { RequestTokens } from '../adapters/oauth-client';
import type { ProviderRegistry } from '../adapters/providers';
import type { TokenVault } from '../adapters/token-vault';
import type { Connection } from '../domain/oauth';
import { classifyRefreshFailure, mergeRefreshedTokens, REFRESH_WINDOW_MS } from '../domain/oauth';

export interface RefreshDeps {
  store: ConnectionStore;
  vault: TokenVault;
  providers: ProviderRegistry;
  requestTokens: RequestTokens;
  now?: () => Date;
  /** Pause before the one retry of a transient failure. */
  retryDelayMs?: number;
  log?: Pick<typeof logger, 'info' | 'warn' | 'error'>;
}

export interface RefreshSummary {
  due: number;
  refreshed: number;
  needsReauth: number;
  /** Held by another run, or changed (reconnected, disconnected) meanwhile. */
  skipped: number;
  /** Unexpected errors (our side): left as they are for the next run. */
  errors: number;
}

/** Long enough for one provider round trip with its retry; a crashed run's claim lapses after it. */
const LEASE_MS = 2 * 60 * 1000;

type Outcome = 'refreshed' | 'needsReauth' | 'skipped';

async function refreshOne(deps: Required<RefreshDeps>, connection: Connection): Promise<Outcome> {
  const now = deps.now();
  if (!(await deps.store.acquireRefreshLease(connection, now, LEASE_MS))) return 'skipped';
  const reauth = async (reason: ReauthReason): Promise<Outcome> =>
    (await deps.store.markNeedsReauth(connection, reason, deps.now())) ? 'needsReauth' : 'skipped';

  const provider = await deps.providers.get(connection.provider);
  if (!provider) {
    deps.log.warn('connection of a provider this stage no longer offers', { provider: connection.provider });
    return reauth('refresh_failed');
  }
  const tokens = await deps.vault.get(connection.userId, connection.provider);
  if (!tokens?.refreshToken) return reauth('token_expired');
  const clientSecret = await deps.providers.clientSecret(provider.name);

  for (let attempt = 1; ; attempt++) {
    try {
      const refreshed = await deps.requestTokens(
        provider,
        { grantType: 'refresh_token', refreshToken: tokens.refreshToken },
        clientSecret,
      );
      // The old refresh token may already be spent (single use): store the new one before anything else.
      const merged = mergeRefreshedTokens(tokens, refreshed);
      await deps.vault.put(connection.userId, connection.provider, merged);
      const saved = await deps.store.saveRefreshed({
        ...connection,
        ...(merged.expiresAt === undefined ? { expiresAt: undefined } : { expiresAt: merged.expiresAt }),
        updatedAt: deps.now().toISOString(),
      });
      return saved ? 'refreshed' : 'skipped';
    } catch (error) {
      if (!(error instanceof TokenEndpointError)) throw error;
      const verdict = classifyRefreshFailure({
        ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
        ...(error.oauthError === undefined ? {} : { oauthError: error.oauthError }),
      });
      deps.log.warn('token refresh failed', {
        provider: connection.provider,
        userId: connection.userId,
        attempt,
        httpStatus: error.httpStatus,
        oauthError: error.oauthError,
        verdict,
      });
      // A transient failure gets one more try now: the next run, 12 hours on, is after the expiry.
      if (verdict === 'retry' && attempt < 2) {
        await new Promise((resolve) => setTimeout(resolve, deps.retryDelayMs));
        continue;
      }
      return reauth(error.oauthError === 'invalid_grant' ? 'token_revoked' : 'refresh_failed');
    }
  }
}

/**
 * Refreshes every connection whose tokens expire within the window (12 hours, the job's period, so
 * each token is refreshed by the run before it would expire). One connection failing never stops
 * the others.
 */
export async function refreshDueConnections(deps: RefreshDeps): Promise<RefreshSummary> {
  const full: Required<RefreshDeps> = {
    now: () => new Date(),
    retryDelayMs: 1000,
    log: logger,
    ...deps,
  };
  const due = await deps.store.dueBefore(new Date(full.now().getTime() + REFRESH_WINDOW_MS));
  const summary: RefreshSummary = { due: due.length, refreshed: 0, needsReauth: 0, skipped: 0, errors: 0 };
  for (const connection of due) {
    try {
      summary[await refreshOne(full, connection)]++;
    } catch (error) {
      summary.errors++;
      full.log.error('token refresh error', {
        provider: connection.provider,
        userId: connection.userId,
        error: error as Error,
      });
    }
  }
  return summary;
}
