// What the delivery suites need around the real local cloud: the engine's settings changed the way an
// operator would on AWS (Lambda's UpdateFunctionConfiguration, which the local cloud serves), events
// published through ingest's real POST /events, subscriptions written as the API writes them, the
// table read back, and the sweeper run on demand through a bus rule with a Lambda target.
import { NEGATIVE_CACHE_TTL_MS } from '@switchyard/access';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import { LOCAL_CREDENTIALS } from '@switchyard/local-cloud';
import { resetAwsClients } from '@switchyard/runtime';
import type { DeliveryAttempt, Subscription } from '../../../src/domain/model';
import type { MessageState } from '../../../src/domain/engine';

/** The engine functions whose environment the tests tune. */
export const ENGINE_FUNCTIONS = ['deliver', 'deliverSlow', 'fanOut', 'sweepDueRetries'] as const;

export class DeliveryEnv {
  readonly table: string;
  readonly doc: DynamoDBDocumentClient;
  private readonly lambda: LambdaClient;
  private readonly events: EventBridgeClient;
  private readonly original = new Map<string, Record<string, string>>();
  private sweepRule: string | undefined;
  private applied: string | undefined;

  constructor(readonly cloud: RunningLocalCloud) {
    const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
    if (!cloud.endpoints.lambda) throw new Error('this local cloud serves no Lambda API (endpoints.lambda)');
    this.table = `delivery-${cloud.stage}`;
    this.doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...common, endpoint: cloud.endpoints.dynamodb }),
      {
        marshallOptions: { removeUndefinedValues: true },
      },
    );
    this.lambda = new LambdaClient({ ...common, endpoint: cloud.endpoints.lambda });
    this.events = new EventBridgeClient({ ...common, endpoint: cloud.endpoints.events });
    // The runtime's own clients (requestAttempts in a test) talk to the same emulators.
    process.env.AWS_ENDPOINT_URL_SQS = cloud.endpoints.sqs;
    process.env.AWS_REGION = cloud.region;
    process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
    resetAwsClients();
  }

  functionName(name: string): string {
    return `delivery-${this.cloud.stage}-${name}`;
  }

  /**
   * Sets engine variables on the engine's functions; the next invocations run in fresh sandboxes
   * that see them. Setting what is already set changes nothing (and keeps the warm workers).
   */
  async configure(variables: Record<string, string>): Promise<void> {
    const key = JSON.stringify(Object.entries(variables).sort());
    if (key === this.applied) return;
    this.applied = key;
    for (const name of ENGINE_FUNCTIONS) {
      const FunctionName = this.functionName(name);
      if (!this.original.has(FunctionName)) {
        const current = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
        this.original.set(FunctionName, { ...(current.Environment?.Variables ?? {}) });
      }
      await this.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName,
          Environment: { Variables: { ...this.original.get(FunctionName), ...variables } },
        }),
      );
    }
  }

  /** A subscription item exactly as the API creates it (Put, then only UpdateItems). */
  async createSubscription(
    tenantId: string,
    input: { url: string; eventTypes: string[]; rateLimitPerSecond?: number; enabled?: boolean },
  ): Promise<Subscription> {
    const now = new Date().toISOString();
    const subscription: Subscription = {
      subscriptionId: `sub_${randomUUID().replace(/-/g, '').slice(0, 26).toUpperCase()}`,
      tenantId,
      url: input.url,
      eventTypes: input.eventTypes,
      enabled: input.enabled ?? true,
      ...(input.rateLimitPerSecond ? { rateLimitPerSecond: input.rateLimitPerSecond } : {}),
      secrets: [{ secret: `whsec_${randomBytes(24).toString('base64')}`, createdAt: now }],
      createdAt: now,
      updatedAt: now,
    };
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...subscription,
          pk: `TENANT#${tenantId}`,
          sk: `SUB#${subscription.subscriptionId}`,
          kind: 'subscription',
        },
      }),
    );
    return subscription;
  }

  async subscription(tenantId: string, subscriptionId: string): Promise<Subscription | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `TENANT#${tenantId}`, sk: `SUB#${subscriptionId}` },
      }),
    );
    return Item as Subscription | undefined;
  }

  async message(
    tenantId: string,
    eventId: string,
    subscriptionId: string,
  ): Promise<(MessageState & { duePk?: string }) | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `EVENT#${tenantId}#${eventId}`, sk: `MSG#${subscriptionId}` },
        ConsistentRead: true,
      }),
    );
    return Item as (MessageState & { duePk?: string }) | undefined;
  }

  async attempts(tenantId: string, eventId: string, subscriptionId: string): Promise<DeliveryAttempt[]> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': `EVENT#${tenantId}#${eventId}`,
          ':prefix': `MSG#${subscriptionId}#ATT#`,
        },
        ConsistentRead: true,
      }),
    );
    return Items as DeliveryAttempt[];
  }

  /** Runs sweepDueRetries now, as its schedule would (a bus rule targeting the function). */
  async sweep(): Promise<void> {
    const busName = `switchyard-${this.cloud.stage}-bus`;
    const source = 'test.delivery.sweep';
    if (!this.sweepRule) {
      this.sweepRule = `test-sweep-${process.pid}`;
      await this.events.send(
        new PutRuleCommand({
          Name: this.sweepRule,
          EventBusName: busName,
          EventPattern: JSON.stringify({ source: [source] }),
        }),
      );
      await this.events.send(
        new PutTargetsCommand({
          Rule: this.sweepRule,
          EventBusName: busName,
          Targets: [
            {
              Id: 'sweeper',
              Arn: `arn:aws:lambda:${this.cloud.region}:000000000000:function:${this.functionName('sweepDueRetries')}`,
            },
          ],
        }),
      );
    }
    await this.events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: busName, Source: source, DetailType: 'Sweep', Detail: '{}' }],
      }),
    );
  }

  close(): void {
    this.doc.destroy();
    this.lambda.destroy();
    this.events.destroy();
  }
}

/** Publishes through ingest's real POST /events (or /events/batch) with the tenant's key; 429 waits. */
export async function publishEvents(
  cloud: Pick<RunningLocalCloud, 'apiUrl'>,
  apiKey: string,
  events: { event_type: string; payload: Record<string, unknown> }[],
): Promise<string[]> {
  const single = events.length === 1;
  for (;;) {
    const response = await fetch(new URL(single ? '/events' : '/events/batch', cloud.apiUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(single ? events[0] : { events }),
    });
    const text = await response.text();
    if (response.status === 429) {
      await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
      continue;
    }
    if (response.status !== 202) throw new Error(`publish: ${response.status} ${text}`);
    const body = JSON.parse(text) as { event_id?: string; results?: { event_id: string }[] };
    return single ? [body.event_id!] : body.results!.map((r) => r.event_id);
  }
}

/** Waits until ingest's key projection knows `apiKey` (a probe event stops answering 401). */
export async function untilIngestKnowsKey(
  cloud: Pick<RunningLocalCloud, 'apiUrl'>,
  apiKey: string,
): Promise<void> {
  await eventually('ingest to know the key', async () => {
    const response = await fetch(new URL('/events', cloud.apiUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: 'test.probe', payload: {} }),
    });
    await response.text();
    return response.status !== 401;
  });
  // Another instance may have cached the key as unknown while we polled: wait out that bound.
  await new Promise((resolve) => setTimeout(resolve, NEGATIVE_CACHE_TTL_MS + 100));
}

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
