// Helpers for suites that observe a running local cloud from outside.
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Message, MessageSystemAttributeName } from '@aws-sdk/client-sqs';
import type { DevInfo } from './dev-info';

/** The emulators accept any signature; these are what local tools sign with. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Polls `probe` until it returns a value (undefined, or a throw, means not yet); throws after
 * `timeoutMs` (default 30 s), naming `what`.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  options: { what?: string; timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const { what = 'condition', timeoutMs = 30_000, intervalMs = 250 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** An answer of the local cloud's gateway: status, the JSON body (undefined when empty), headers. */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A request to the local cloud's gateway with `Authorization: Bearer <token>` (an API key or a
 * person's JWT), or none when `token` is undefined; `body`, when given, is sent as JSON.
 */
export async function bearerRequest<T = unknown>(
  cloud: { apiUrl: string },
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, cloud.apiUrl), {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
}

/** An EventBridge event as a rule's SQS target receives it. */
export interface BusEnvelope {
  id: string;
  source: string;
  'detail-type': string;
  detail: Record<string, unknown> & { tenantId?: string; keyId?: string };
}

export interface BusTap {
  /** Every event received so far, in arrival order. */
  seen: BusEnvelope[];
  /** Drains the tap's queue until `predicate` holds; throws after `timeoutMs`. */
  take(predicate: (seen: BusEnvelope[]) => boolean, timeoutMs?: number): Promise<BusEnvelope[]>;
  close(): void;
}

/** An SQS queue that a rule on the stage's bus sends matching events to; close() ends the clients. */
export interface BusQueue {
  queueUrl: string;
  /** Up to 10 messages (a long poll of 1 s), with these system attributes. */
  receive(systemAttributes?: MessageSystemAttributeName[]): Promise<Message[]>;
  /** Deletes received messages. */
  remove(messages: Message[]): Promise<void>;
  close(): void;
}

/**
 * Puts a rule with `eventPattern` and an SQS queue as its target on the stage's bus (the bus is
 * created when no running service declares it), with the unchanged AWS SDK.
 */
export async function busQueue(
  cloud: Pick<DevInfo, 'region' | 'stage' | 'endpoints'>,
  eventPattern: Record<string, unknown>,
  namePrefix = 'test-tap',
): Promise<BusQueue> {
  const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
  const events = new EventBridgeClient({ ...common, endpoint: cloud.endpoints.events });
  const sqs = new SQSClient({ ...common, endpoint: cloud.endpoints.sqs });
  const busName = `switchyard-${cloud.stage}-bus`;
  await events.send(new CreateEventBusCommand({ Name: busName })).catch((error: Error) => {
    if (error.name !== 'ResourceAlreadyExistsException') throw error;
  });
  const name = `${namePrefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await events.send(
    new PutRuleCommand({ Name: name, EventBusName: busName, EventPattern: JSON.stringify(eventPattern) }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: name,
      EventBusName: busName,
      Targets: [{ Id: 'queue', Arn: Attributes!.QueueArn! }],
    }),
  );
  return {
    queueUrl: QueueUrl!,
    receive: async (systemAttributes = []) => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          ...(systemAttributes.length ? { MessageSystemAttributeNames: systemAttributes } : {}),
        }),
      );
      return Messages;
    },
    remove: async (messages) => {
      if (messages.length === 0) return;
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    },
    close: () => {
      events.destroy();
      sqs.destroy();
    },
  };
}

/** Every event `source` publishes on the stage's bus, through a busQueue. */
export async function tapBus(
  cloud: Pick<DevInfo, 'region' | 'stage' | 'endpoints'>,
  source: string,
): Promise<BusTap> {
  const queue = await busQueue(cloud, { source: [source] });
  const seen: BusEnvelope[] = [];

  const take = async (
    predicate: (seen: BusEnvelope[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<BusEnvelope[]> => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(seen)) {
      if (Date.now() > deadline) {
        throw new Error(
          `bus tap: condition not met; saw ${seen.map((e) => e['detail-type']).join(', ') || 'nothing'}`,
        );
      }
      const messages = await queue.receive();
      for (const message of messages) seen.push(JSON.parse(message.Body ?? '{}') as BusEnvelope);
      await queue.remove(messages);
    }
    return seen;
  };

  return { seen, take, close: queue.close };
}
