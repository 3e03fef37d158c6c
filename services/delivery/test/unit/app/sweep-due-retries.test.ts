// sweepDueRetries, the use case: due index entries in, queued attempts and released entries out.
import type { AttemptRequest } from '../../../src/adapters/dispatch';
import { sweepDueRetries } from '../../../src/app/sweep-due-retries';
import { t0 } from '../fixtures';

describe('sweepDueRetries', () => {
  it('queues what falls due within the lookahead with the rest of the wait, then releases it', async () => {
    const due = [
      {
        tenantId: 't1',
        eventId: 'e1',
        subscriptionId: 'sub_1',
        dueAt: new Date(t0.getTime() + 30_000).toISOString(),
        attempt: 4,
      },
    ];
    const shardsAsked: string[] = [];
    const queued: AttemptRequest[] = [];
    const releaseDue = jest.fn(async () => true);
    const summary = await sweepDueRetries({
      store: {
        dueMessages: async (shard, until) => {
          shardsAsked.push(shard);
          expect(until).toBe(new Date(t0.getTime() + 120_000).toISOString());
          return shard === 'DUE#3' && queued.length === 0 ? due : [];
        },
        releaseDue,
      },
      requestAttempts: async (r) => {
        queued.push(...r);
      },
      lookaheadSeconds: 120,
      now: () => t0,
      deadline: Date.now() + 10_000,
    });
    expect(new Set(shardsAsked).size).toBe(10);
    expect(queued).toEqual([expect.objectContaining({ trigger: 'scheduled', attempt: 4, delaySeconds: 30 })]);
    expect(releaseDue).toHaveBeenCalledWith(due[0]);
    expect(summary).toEqual({ queued: 1, released: 1 });
  });
});
