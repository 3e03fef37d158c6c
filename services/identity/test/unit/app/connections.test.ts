import { createTokenClient } from '../../../src/adapters/oauth-client';
import type { HttpError } from '@switchyard/runtime';
import { completeConnection, startConnection } from '../../../src/app/connections';
import type { RefreshDeps } from '../../../src/app/refresh-connections';
import { refreshDueConnections } from '../../../src/app/refresh-connections';
import { startFakeProvider } from '../../support/fake-provider';
import type { FakeProvider } from '../../support/fake-provider';
import { MemoryConnectionStore, MemoryVault, registryFor } from './connection-fakes';

const secret = Buffer.alloc(32, 7);
const redirectUri = 'http://127.0.0.1:3000/connections/fake/callback';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('connecting a user and refreshing their tokens (fake provider over HTTP)', () => {
  let provider: FakeProvider;
  let clock: Date;
  let store: MemoryConnectionStore;
  let vault: MemoryVault;
  let registry: ReturnType<typeof registryFor>;
  const requestTokens = createTokenClient({ now: () => clock });

  beforeAll(async () => {
    provider = await startFakeProvider({ expiresIn: 3600 });
    registry = registryFor(provider);
  });
  afterAll(() => provider.close());
  beforeEach(() => {
    clock = new Date('2030-01-01T00:00:00.000Z');
    store = new MemoryConnectionStore();
    vault = new MemoryVault();
    provider.failRefresh(false);
  });

  const deps = () => ({ providers: registry, store, vault, requestTokens, stateSecret: secret });
  /** One run of the refresh job at the test's clock. */
  const refresh = (options: Partial<RefreshDeps> = {}) =>
    refreshDueConnections({
      store,
      vault,
      providers: registry,
      requestTokens,
      now: () => clock,
      log: quiet,
      ...options,
    });
  const start = (userId = 'usr_1') =>
    startConnection({
      provider: registry.config,
      userId,
      tenantId: 'ten_1',
      redirectUri,
      secret,
      now: clock,
    });

  async function connect(userId = 'usr_1') {
    const started = start(userId);
    const callback = await provider.authorize(started.authorizeUrl);
    expect(callback.searchParams.get('state')).toBe(started.state);
    return completeConnection(deps(), {
      provider: 'fake',
      code: callback.searchParams.get('code') ?? '',
      state: started.state,
      nonce: started.nonce,
      redirectUri,
      now: clock,
    });
  }

  it('start gives an authorize URL with the signed state; the callback stores tokens and marks connected', async () => {
    const connection = await connect();
    expect(connection).toMatchObject({
      userId: 'usr_1',
      tenantId: 'ten_1',
      provider: 'fake',
      status: 'connected',
      expiresAt: '2030-01-01T01:00:00.000Z',
    });
    expect(await store.get('usr_1', 'fake')).toMatchObject({ status: 'connected' });
    expect((await vault.get('usr_1', 'fake'))?.refreshToken).toMatch(/^rt_/);
  });

  it('refuses a tampered, expired, foreign-provider or wrong-browser state with 400', async () => {
    const started = start();
    const attempt = (overrides: Partial<Parameters<typeof completeConnection>[1]>) =>
      completeConnection(deps(), {
        provider: 'fake',
        code: 'whatever',
        state: started.state,
        redirectUri,
        now: clock,
        ...overrides,
      }).catch((error: HttpError) => ({ status: error.status, code: error.code }));

    const tampered = `${started.state.slice(0, -2)}AA`;
    expect(await attempt({ state: tampered })).toEqual({ status: 400, code: 'invalid_state' });
    expect(await attempt({ now: new Date(clock.getTime() + 11 * 60 * 1000) })).toEqual({
      status: 400,
      code: 'invalid_state',
    });
    expect(await attempt({ provider: 'other' })).toEqual({ status: 400, code: 'invalid_state' });
    expect(await attempt({ nonce: 'someone-elses-browser-nonce' })).toEqual({
      status: 400,
      code: 'invalid_state',
    });
    // A valid state but a code the provider never issued.
    expect(await attempt({ nonce: started.nonce })).toEqual({ status: 400, code: 'authorization_failed' });
    expect(store.items.size).toBe(0);
  });

  it('refreshes tokens expiring within 12 hours and stores the new single-use refresh token', async () => {
    await connect('usr_1');
    const before = await vault.get('usr_1', 'fake');
    clock = new Date('2030-01-01T00:30:00.000Z');
    const summary = await refresh();
    expect(summary).toMatchObject({ due: 1, refreshed: 1, needsReauth: 0 });
    const after = await vault.get('usr_1', 'fake');
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(provider.liveRefreshTokens()).toContain(after?.refreshToken);
    expect(provider.liveRefreshTokens()).not.toContain(before?.refreshToken);
    expect((await store.get('usr_1', 'fake'))?.expiresAt).toBe('2030-01-01T01:30:00.000Z');
  });

  it('leaves connections expiring later than the window alone', async () => {
    provider.setExpiresIn(13 * 3600);
    try {
      await connect('usr_later');
    } finally {
      provider.setExpiresIn(3600);
    }
    const summary = await refresh();
    expect(summary.due).toBe(0);
  });

  it('a refused refresh marks the connection as needing reauthorisation, once', async () => {
    await connect('usr_1');
    provider.failRefresh('invalid_grant');
    expect(await refresh()).toMatchObject({ due: 1, needsReauth: 1 });
    expect((await store.get('usr_1', 'fake'))?.status).toBe('needs_reauth');
    expect(store.reauthEvents).toEqual([{ userId: 'usr_1', provider: 'fake', reason: 'token_revoked' }]);
    expect(await refresh()).toMatchObject({ due: 0, needsReauth: 0 });
    expect(store.reauthEvents).toHaveLength(1);
  });

  it('a provider outage is retried once, then marked for reauthorisation', async () => {
    await connect('usr_1');
    provider.failRefresh('server_error');
    const refreshRequests = () =>
      provider.requests.filter((r) => r.form.grant_type === 'refresh_token').length;
    const before = refreshRequests();
    const summary = await refresh({ retryDelayMs: 1 });
    expect(refreshRequests() - before).toBe(2);
    expect(summary).toMatchObject({ needsReauth: 1 });
    expect(store.reauthEvents[0]?.reason).toBe('refresh_failed');
  });

  it('a connection without a refresh token needs reauthorisation (token_expired)', async () => {
    await connect('usr_1');
    const tokens = await vault.get('usr_1', 'fake');
    await vault.put('usr_1', 'fake', { accessToken: tokens?.accessToken ?? 'x' });
    await refresh();
    expect(store.reauthEvents[0]?.reason).toBe('token_expired');
  });

  it('a connection held by another run is skipped', async () => {
    const connection = await connect('usr_1');
    expect(await store.acquireRefreshLease(connection, clock, 60_000)).toBe(true);
    const summary = await refresh();
    expect(summary).toMatchObject({ due: 1, skipped: 1, refreshed: 0 });
  });
});
