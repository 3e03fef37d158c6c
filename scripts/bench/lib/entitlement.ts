import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SubscriptionChanged } from '../../../contracts/src/billing/subscription-changed';
import type { RunningLocalCloud } from '../../../libs/local-cloud/src';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * billing's SubscriptionChanged for the demo tenant, put on the stage's bus as billing would publish
 * it, so ingest's limits are not what a bench measures. `changedAt` a little in the future wins over
 * what billing itself published for the tenant when it runs too. Returns the message.
 */
export async function raiseTenantLimits(
  cloud: RunningLocalCloud,
  quotas: { eventsPerMonth: number; requestsPerSecond: number },
  options: { changedInMs?: number } = {},
): Promise<Record<string, unknown>> {
  const now = new Date(Date.now() + (options.changedInMs ?? 0)).toISOString();
  const detail = SubscriptionChanged.schema.parse({
    version: SubscriptionChanged.version,
    id: randomUUID(),
    time: now,
    tenantId: cloud.tenantId,
    correlationId: randomUUID(),
    subscriptionId: `sub_bench${Date.now().toString(36)}`,
    new: { status: 'active', plan: 'bench', quotas },
    changedAt: now,
  });
  const events = new EventBridgeClient({
    region: cloud.region,
    endpoint: cloud.endpoints.events,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: `switchyard-${cloud.stage}-bus`,
            Source: SubscriptionChanged.source,
            DetailType: SubscriptionChanged.detailType,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    if (result.FailedEntryCount) {
      throw new Error(`SubscriptionChanged not put: ${JSON.stringify(result.Entries)}`);
    }
  } finally {
    events.destroy();
  }
  return detail;
}
