import { billingKeys, usageKeys } from '../../../src/adapters/billing-table';
import { compact, transactItems } from '../../../src/adapters/billing-store';
import { fingerprint, usageTransactItems } from '../../../src/adapters/usage-store';

describe("billing's table layout", () => {
  it('pins every key', () => {
    expect(billingKeys.stripeEvent('evt_1')).toEqual({ pk: 'STRIPE_EVENT#evt_1', sk: 'STRIPE_EVENT' });
    expect(billingKeys.subscription('sub_1')).toEqual({ pk: 'SUBSCRIPTION#sub_1', sk: 'SUBSCRIPTION' });
    expect(billingKeys.customer('cus_1')).toEqual({ pk: 'CUSTOMER#cus_1', sk: 'CUSTOMER' });
    expect(billingKeys.checkout('cs_1')).toEqual({ pk: 'CHECKOUT#cs_1', sk: 'CHECKOUT' });
    expect(billingKeys.tenant('ten_1')).toEqual({ pk: 'TENANT#ten_1', sk: 'BILLING' });
    expect(billingKeys.pendingInvoice('cus_1', 'evt_1')).toEqual({ pk: 'PENDING#cus_1', sk: 'EVENT#evt_1' });
    expect(usageKeys.usage('ten_1', '2026-03-01T00:00:00.000Z')).toEqual({
      pk: 'USAGE#ten_1',
      sk: 'PERIOD#2026-03-01T00:00:00.000Z',
    });
    expect(usageKeys.meteredPart('ten_1', '2026-03-01T00:00:10.000Z', 2)).toEqual({
      pk: 'METERED#ten_1#2026-03-01T00:00:10.000Z',
      sk: 'PART#0002',
    });
  });

  it('records the Stripe event first, conditioned on its absence, and every item on the revision read', () => {
    const items = transactItems('billing-test', {
      stripeEvent: { eventId: 'evt_1', type: 'customer.subscription.updated', created: 1 },
      tenant: {
        record: { tenantId: 'ten_1', revision: 3, graceEndsAt: '2026-03-04T00:00:00.000Z' },
        readRevision: 3,
      },
      publish: [],
    });
    expect(items[0]?.Put).toMatchObject({
      Item: { pk: 'STRIPE_EVENT#evt_1' },
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
    expect(items[1]?.Put).toMatchObject({
      Item: { pk: 'TENANT#ten_1', revision: 4, duePk: 'GRACE', dueAt: '2026-03-04T00:00:00.000Z' },
      ConditionExpression: '#revision = :revision',
      ExpressionAttributeValues: { ':revision': 3 },
    });
  });

  it('leaves out empty maps (the local stream reader cannot decode one) and undefined values', () => {
    expect(compact({ a: {}, b: { c: undefined, d: 1 }, e: [{}], f: 'x' })).toEqual({
      b: { d: 1 },
      e: [{}],
      f: 'x',
    });
  });

  it('packs dedup fingerprints into 12 bytes each', () => {
    const items = usageTransactItems('usage', 'billing', {
      tenantId: 'ten_1',
      dedup: [
        {
          part: { bucket: 'b', part: 0, fingerprints: [fingerprint('a'), fingerprint('b')], revision: 0 },
          readRevision: undefined,
        },
      ],
      counters: [],
      announce: [],
    });
    expect((items[0]?.Put?.Item?.ids as Buffer).length).toBe(24);
    expect(fingerprint('a')).toHaveLength(24);
  });
});
