import { createTokenClient, TokenEndpointError } from '../../../src/adapters/oauth-client';
import type { ProviderConfig } from '../../../src/domain/oauth';
import { startFakeProvider } from '../../support/fake-provider';
import type { FakeProvider } from '../../support/fake-provider';

describe('token endpoint client against a real HTTP provider', () => {
  let provider: FakeProvider;
  let config: ProviderConfig;
  const now = new Date('2030-01-01T00:00:00.000Z');
  const requestTokens = createTokenClient({ now: () => now });
  const redirectUri = 'http://127.0.0.1:9/connections/fake/callback';

  beforeAll(async () => {
    provider = await startFakeProvider({ expiresIn: 7200 });
    config = {
      name: provider.name,
      authorizeUrl: provider.authorizeUrl,
      tokenUrl: provider.tokenUrl,
      clientId: provider.clientId,
      scopes: ['read'],
    };
  });
  afterAll(() => provider.close());

  const codeFor = async (provider: FakeProvider) => {
    const url = new URL(provider.authorizeUrl);
    url.searchParams.set('client_id', provider.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('state', 's');
    return (await provider.authorize(url.toString())).searchParams.get('code') ?? '';
  };

  it('exchanges a code with a form-encoded POST and computes the expiry', async () => {
    const tokens = await requestTokens(
      config,
      { grantType: 'authorization_code', code: await codeFor(provider), redirectUri },
      provider.clientSecret,
    );
    expect(tokens.accessToken).toMatch(/^at_/);
    expect(tokens.refreshToken).toMatch(/^rt_/);
    expect(tokens.expiresAt).toBe('2030-01-01T02:00:00.000Z');
    const request = provider.requests.at(-1);
    expect(request?.contentType).toBe('application/x-www-form-urlencoded');
    expect(request?.form).toMatchObject({
      grant_type: 'authorization_code',
      redirect_uri: redirectUri,
      client_id: provider.clientId,
    });
  });

  it('supports client_secret_basic', async () => {
    const tokens = await requestTokens(
      { ...config, clientAuthMethod: 'client_secret_basic' },
      { grantType: 'authorization_code', code: await codeFor(provider), redirectUri },
      provider.clientSecret,
    );
    expect(tokens.accessToken).toBeTruthy();
    expect(provider.requests.at(-1)?.authorization).toMatch(/^Basic /);
    expect(provider.requests.at(-1)?.form.client_secret).toBeUndefined();
  });

  it('refresh tokens are single use: the second use is invalid_grant with its status', async () => {
    const first = await requestTokens(
      config,
      { grantType: 'authorization_code', code: await codeFor(provider), redirectUri },
      provider.clientSecret,
    );
    const refreshed = await requestTokens(
      config,
      { grantType: 'refresh_token', refreshToken: first.refreshToken ?? '' },
      provider.clientSecret,
    );
    expect(refreshed.refreshToken).not.toBe(first.refreshToken);
    const again = requestTokens(
      config,
      { grantType: 'refresh_token', refreshToken: first.refreshToken ?? '' },
      provider.clientSecret,
    );
    await expect(again).rejects.toMatchObject({ httpStatus: 400, oauthError: 'invalid_grant' });
  });

  it('reports a wrong client secret, a non-JSON 503 and an unreachable endpoint', async () => {
    await expect(
      requestTokens(config, { grantType: 'refresh_token', refreshToken: 'x' }, 'wrong'),
    ).rejects.toMatchObject({ httpStatus: 401, oauthError: 'invalid_client' });

    provider.failRefresh('server_error');
    try {
      await expect(
        requestTokens(config, { grantType: 'refresh_token', refreshToken: 'x' }, provider.clientSecret),
      ).rejects.toMatchObject({ httpStatus: 503, oauthError: undefined });
    } finally {
      provider.failRefresh(false);
    }

    const error = await requestTokens(
      { ...config, tokenUrl: 'http://127.0.0.1:9/token' },
      { grantType: 'refresh_token', refreshToken: 'x' },
      provider.clientSecret,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect((error as TokenEndpointError).httpStatus).toBeUndefined();
  });
});
