// What the write-path tests need beyond the pull API's helpers: raw requests (any headers and body),
// a tap on the bus (rule + SQS queue) to see EventReceived, and publishing another service's event
// (billing's SubscriptionChanged) straight onto the bus, as billing would.
import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from '@switchyard/cli/src/api';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import type { ApiResponse } from './pull-api';

export { createKey, createTenant, request } from './pull-api';
export type { ApiResponse };

/** POST with exactly these headers and this body text (CloudEvents modes, sizes, bad JSON). */
export async function rawPost<T = unknown>(
  cloud: Pick<RunningLocalCloud, 'apiUrl'>,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<ApiResponse<T>> {
  const response = await fetch(new URL(path, cloud.apiUrl), { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** The key id inside identity's key format `sy_<env>_<keyId>_<secret>`. */
export function keyIdOf(key: string): string {
  return key.split('_')[2] as string;
}

function clients(cloud: RunningLocalCloud) {
  const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
  return {
    events: new EventBridgeClient({ ...common, endpoint: cloud.endpoints.events }),
    sqs: new SQSClient({ ...common, endpoint: cloud.endpoints.sqs }),
    busName: `switchyard-${cloud.stage}-bus`,
  };
}

export { tapBus } from '@switchyard/local-cloud';
export type { BusEnvelope } from '@switchyard/local-cloud';

/** billing's SubscriptionChanged for `tenantId`, put on the bus as billing's publisher would. */
export async function publishSubscriptionChanged(
  cloud: RunningLocalCloud,
  tenantId: string,
  state: { status: string; requestsPerSecond: number; eventsPerMonth: number },
): Promise<void> {
  const { events, busName } = clients(cloud);
  const now = new Date().toISOString();
  const detail = {
    version: 1,
    id: randomUUID(),
    time: now,
    tenantId,
    correlationId: randomUUID(),
    subscriptionId: `sub_${randomUUID().slice(0, 8)}`,
    new: {
      status: state.status,
      plan: 'test',
      quotas: { eventsPerMonth: state.eventsPerMonth, requestsPerSecond: state.requestsPerSecond },
    },
    changedAt: now,
  };
  const result = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: busName,
          Source: 'switchyard.billing',
          DetailType: 'SubscriptionChanged',
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  events.destroy();
  if (result.FailedEntryCount)
    throw new Error(`SubscriptionChanged not put: ${JSON.stringify(result.Entries)}`);
}

/** Polls `attempt` until it returns a value (not undefined), at most `timeoutMs`. */
export async function eventually<T>(
  attempt: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('eventually: timed out');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
