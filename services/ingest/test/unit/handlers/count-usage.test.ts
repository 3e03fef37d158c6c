import { createCountUsageHandler } from '../../../src/handlers/count-usage';
import type { Limits } from '../../../src/adapters/limits';
import { streamEvent, streamRecord } from '@switchyard/runtime/testing';
import { storedEventItem as item, TENANT } from '../domain/fixtures';

describe('usage counting', () => {
  const record = (eventName: 'INSERT' | 'MODIFY', image: Record<string, unknown>, sequenceNumber: string) =>
    streamRecord(eventName, { newImage: image, sequenceNumber });
  const batch = () =>
    streamEvent(
      record('INSERT', item({}, 'E1') as never, '1'),
      record('INSERT', item({}, 'E2') as never, '2'),
      record('INSERT', { ...item({}, 'E3'), tenantId: 'other' } as never, '3'),
      record('MODIFY', item({}, 'E1') as never, '4'),
      record('INSERT', { pk: `TENANT#${TENANT}`, sk: 'IDEM#abc', kind: 'idempotency' }, '5'),
    );
  const limits = (failFor?: string) => {
    const addUsage = jest.fn(async (tenantId: string, _count: number, _at: Date) => {
      if (tenantId === failFor) throw new Error('throttled');
    });
    return { addUsage, limits: { addUsage } as unknown as Limits };
  };

  it('counts new event items per tenant in one increment per batch, ignoring other changes', async () => {
    const { addUsage, limits: fake } = limits();
    await expect(createCountUsageHandler(() => fake)(batch())).resolves.toEqual({ batchItemFailures: [] });
    expect(addUsage.mock.calls.map(([tenantId, count]) => ({ tenantId, count }))).toEqual([
      { tenantId: TENANT, count: 2 },
      { tenantId: 'other', count: 1 },
    ]);
  });

  it('fails exactly the records of a tenant whose update failed', async () => {
    const { addUsage, limits: fake } = limits(TENANT);
    const response = await createCountUsageHandler(() => fake)(batch());
    expect(addUsage).toHaveBeenCalledTimes(2);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '1' }, { itemIdentifier: '2' }]);
  });
});
