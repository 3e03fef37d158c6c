/**
 * EventReceived and AgentQueryCompleted (bus rule → `billing-<stage>-usage`), a batch at once: each
 * tenant's usage counted with a few writes (../app/meter-usage.ts); a tenant whose write failed fails
 * its records only.
 */
import { AgentQueryCompleted, EventReceived } from '@switchyard/contracts';
import { createSqsBatchConsumer } from '@switchyard/runtime';
import { meterDeps } from '../app/deps';
import { meterUsage, usageUnit } from '../app/meter-usage';

export const handler = createSqsBatchConsumer({
  contract: [EventReceived, AgentQueryCompleted],
  handleBatch: async (items) => {
    const { failed } = await meterUsage(
      items.map((item) => usageUnit(item.message)),
      meterDeps(),
    );
    const failedIds = new Map(failed.map((f) => [f.messageId, f]));
    return items.flatMap((item) => {
      const failure = failedIds.get(item.message.id);
      return failure
        ? [{ messageId: item.record.messageId, reason: failure.reason, error: failure.error }]
        : [];
    });
  },
});
