// The subscription use cases over a fake store: which store calls a request makes, and the 400s and
// 404s decided before any write. The store's own DynamoDB calls are in ../api/api-store.test.ts.
import type { SubscriptionDeps } from '../../../src/app/subscriptions';
import {
  createSubscription,
  deleteSubscription,
  rotateSecret,
  updateSubscription,
} from '../../../src/app/subscriptions';
import { endpointPolicy } from '../../../src/domain/address-safety';
import type { Subscription } from '../../../src/domain/model';
import { subscription, t0 } from '../fixtures';

const caller = { tenantId: 't1', actorId: 'key:k1' };

/** `stored: null`: the subscription does not exist. */
function deps({
  stored = subscription(),
  stage = 'local',
}: { stored?: Subscription | null; stage?: string } = {}) {
  const found = stored ?? undefined;
  const store = {
    createSubscription: jest.fn(async () => undefined),
    getSubscription: jest.fn(async () => found),
    listSubscriptions: jest.fn(),
    updateSubscription: jest.fn(async () => found && { ...found, enabled: true }),
    deleteSubscription: jest.fn(async () => found !== undefined),
    rotateSecret: jest.fn(async (_t: string, _s: string, secret: string) =>
      found ? [{ secret, createdAt: t0.toISOString() }, ...found.secrets] : undefined,
    ),
  };
  const all: SubscriptionDeps = {
    store,
    endpointPolicy: () => endpointPolicy(stage, ''),
    now: () => t0,
    randomBytes: (size) => new Uint8Array(size).fill(7),
  };
  return { deps: all, store };
}

describe('createSubscription', () => {
  it("stores the caller's tenant's new subscription, fields named as the domain names them", async () => {
    const { deps: d, store } = deps();
    const created = await createSubscription(
      caller,
      {
        url: 'https://hooks.example.com/in',
        event_types: ['order.*', 'order.*'],
        description: 'orders',
        enabled: false,
        rate_limit_per_second: 5,
      },
      d,
    );
    expect(created).toMatchObject({
      tenantId: 't1',
      url: 'https://hooks.example.com/in',
      eventTypes: ['order.*'],
      description: 'orders',
      enabled: false,
      disabledReason: 'manual',
      rateLimitPerSecond: 5,
      createdAt: t0.toISOString(),
    });
    expect(created.secrets).toHaveLength(1);
    expect(store.createSubscription).toHaveBeenCalledWith(created);
  });

  it('refuses a URL the stage does not accept with a 400 on url, and writes nothing', async () => {
    const { deps: d, store } = deps({ stage: 'prod' });
    await expect(
      createSubscription(caller, { url: 'http://hooks.example.com/in', event_types: ['*'] }, d),
    ).rejects.toMatchObject({ status: 400, code: 'validation_failed', details: [{ path: 'url' }] });
    await expect(
      createSubscription(caller, { url: 'https://10.0.0.1/in', event_types: ['*'] }, d),
    ).rejects.toMatchObject({ status: 400, details: [{ path: 'url' }] });
    expect(store.createSubscription).not.toHaveBeenCalled();
  });
});

describe('updateSubscription', () => {
  it('writes the planned changes of what the request names', async () => {
    const { deps: d, store } = deps({ stored: subscription({ enabled: false, disabledReason: 'gone' }) });
    await updateSubscription(caller, 'sub_1', { enabled: true, description: null }, d);
    expect(store.updateSubscription).toHaveBeenCalledWith('t1', 'sub_1', {
      set: { updatedAt: t0.toISOString(), enabled: true },
      remove: ['description', 'disabledReason', 'disabledAt', 'failingSince'],
    });
  });

  it("is a 404 for another tenant's subscription or a missing one, without a write", async () => {
    const foreign = deps({ stored: subscription({ tenantId: 't2' }) });
    await expect(updateSubscription(caller, 'sub_1', { enabled: true }, foreign.deps)).rejects.toMatchObject({
      status: 404,
    });
    expect(foreign.store.updateSubscription).not.toHaveBeenCalled();
    const { deps: d } = deps({ stored: null });
    await expect(updateSubscription(caller, 'sub_1', { enabled: true }, d)).rejects.toMatchObject({
      status: 404,
    });
  });

  it('checks a new URL before reading anything', async () => {
    const { deps: d, store } = deps({ stage: 'prod' });
    await expect(updateSubscription(caller, 'sub_1', { url: 'http://x.test/h' }, d)).rejects.toMatchObject({
      status: 400,
      details: [{ path: 'url' }],
    });
    expect(store.getSubscription).not.toHaveBeenCalled();
  });
});

describe('rotateSecret and deleteSubscription', () => {
  it('rotates in a fresh whsec_ secret, and answers 404 when there is nothing to rotate or delete', async () => {
    const { deps: d, store } = deps();
    const secrets = await rotateSecret(caller, 'sub_1', d);
    expect(secrets[0]!.secret).toMatch(/^whsec_/);
    expect(store.rotateSecret).toHaveBeenCalledWith('t1', 'sub_1', secrets[0]!.secret, t0);

    const missing = deps({ stored: null });
    await expect(rotateSecret(caller, 'sub_1', missing.deps)).rejects.toMatchObject({ status: 404 });
    await expect(deleteSubscription(caller, 'sub_1', missing.deps)).rejects.toMatchObject({ status: 404 });
    await expect(deleteSubscription(caller, 'sub_1', d)).resolves.toBeUndefined();
  });
});
