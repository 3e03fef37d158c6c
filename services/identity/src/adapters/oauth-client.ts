/**
 * Talks to a provider's token endpoint: sends the form-encoded request the domain builds
 * (`tokenRequest`) and parses the answer (`parseTokenResponse`). Failures carry what the refresh
 * policy (`classifyRefreshFailure`) needs: the HTTP status and the OAuth `error` code.
 */
import type { ProviderConfig, ProviderTokens, TokenGrant } from '../domain/oauth';
import { OAuthTokenError, parseTokenResponse, tokenRequest } from '../domain/oauth';

export class TokenEndpointError extends Error {
  constructor(
    message: string,
    /** Absent for network failures and timeouts. */
    readonly httpStatus?: number,
    /** The provider's OAuth `error` code (`invalid_grant`...), when it sent one. */
    readonly oauthError?: string,
  ) {
    super(message);
    this.name = 'TokenEndpointError';
  }
}

export type RequestTokens = (
  provider: ProviderConfig,
  grant: TokenGrant,
  clientSecret: string,
) => Promise<ProviderTokens>;

const TIMEOUT_MS = 10_000;

export function createTokenClient(
  options: { fetch?: typeof fetch; timeoutMs?: number; now?: () => Date } = {},
): RequestTokens {
  const send = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  return async (provider, grant, clientSecret) => {
    const request = tokenRequest(provider, grant, clientSecret);
    let response: Response;
    try {
      response = await send(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS),
      });
    } catch (error) {
      throw new TokenEndpointError(
        `token endpoint of ${provider.name} unreachable: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TokenEndpointError(
        `token endpoint of ${provider.name} answered ${response.status} without JSON`,
        response.status,
      );
    }
    try {
      const tokens = parseTokenResponse(json, now());
      if (!response.ok) {
        throw new OAuthTokenError('invalid_response', `status ${response.status} with a token body`);
      }
      return tokens;
    } catch (error) {
      if (!(error instanceof OAuthTokenError)) throw error;
      throw new TokenEndpointError(
        `token endpoint of ${provider.name} refused (${response.status}): ${error.error}`,
        response.status,
        error.error === 'invalid_response' ? undefined : error.error,
      );
    }
  };
}
