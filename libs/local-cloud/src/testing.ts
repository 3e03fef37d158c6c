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
import type { DevInfo } from './dev-info';

/** The emulators accept any signature; these are what local tools sign with. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

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

/**
 * An SQS queue receiving every event `source` publishes on the stage's bus (the bus is created when
 * no running service declares it), through a rule made with the unchanged AWS SDK.
 */
export async function tapBus(
  cloud: Pick<DevInfo, 'region' | 'stage' | 'endpoints'>,
  source: string,
): Promise<BusTap> {
  const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
  const events = new EventBridgeClient({ ...common, endpoint: cloud.endpoints.events });
  const sqs = new SQSClient({ ...common, endpoint: cloud.endpoints.sqs });
  const busName = `switchyard-${cloud.stage}-bus`;
  await events.send(new CreateEventBusCommand({ Name: busName })).catch((error: Error) => {
    if (error.name !== 'ResourceAlreadyExistsException') throw error;
  });
  const name = `test-tap-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await events.send(
    new PutRuleCommand({
      Name: name,
      EventBusName: busName,
      EventPattern: JSON.stringify({ source: [source] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: name,
      EventBusName: busName,
      Targets: [{ Id: 'queue', Arn: Attributes!.QueueArn! }],
    }),
  );
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
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of Messages) seen.push(JSON.parse(message.Body ?? '{}') as BusEnvelope);
      if (Messages.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    }
    return seen;
  };

  return {
    seen,
    take,
    close: () => {
      events.destroy();
      sqs.destroy();
    },
  };
}
