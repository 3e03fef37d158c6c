// What notifications' suites need around the real local cloud: messages put on the bus as their
// producers would (activity is built separately, so its events are put there the same way), the
// local mailbox read per recipient, and a function's environment changed as an operator would.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import { LOCAL_CREDENTIALS } from '@switchyard/local-cloud';
import type { LocalEmail } from '@switchyard/local-cloud/src/emulators/ses';
import { listEmails } from '@switchyard/local-cloud/src/emulators/ses';

export class NotificationsCloud {
  readonly doc: DynamoDBDocumentClient;
  private readonly events: EventBridgeClient;
  private readonly lambda: LambdaClient;

  constructor(readonly cloud: RunningLocalCloud) {
    const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
    this.doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...common, endpoint: cloud.endpoints.dynamodb }),
    );
    this.events = new EventBridgeClient({ ...common, endpoint: cloud.endpoints.events });
    this.lambda = new LambdaClient({ ...common, endpoint: cloud.endpoints.lambda });
  }

  get table() {
    return `notifications-${this.cloud.stage}`;
  }

  async item(pk: string, sk: string) {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }),
    );
    return Item;
  }

  /**
   * Puts one message on the stage's bus as `service` would publish it; `id` defaults to a new one
   * (pass the same id twice for a redelivery). Returns the message id.
   */
  async publish(
    service: string,
    detailType: string,
    tenantId: string,
    body: Record<string, unknown>,
    id: string = randomUUID(),
  ): Promise<string> {
    const out = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: `switchyard-${this.cloud.stage}-bus`,
            Source: `switchyard.${service}`,
            DetailType: detailType,
            Detail: JSON.stringify({
              version: 1,
              id,
              time: new Date().toISOString(),
              tenantId,
              correlationId: randomUUID(),
              ...body,
            }),
          },
        ],
      }),
    );
    if (out.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(out.Entries)}`);
    return id;
  }

  /** E-mails the local mailbox received for `to` (optionally whose text contains `marker`). */
  async mailTo(to: string, marker?: string): Promise<LocalEmail[]> {
    return (await listEmails(this.cloud.endpoints.ses)).filter(
      (m) =>
        m.destination.to.some((address) => address.includes(to)) &&
        (marker === undefined || (m.body.text ?? '').includes(marker) || m.subject.includes(marker)),
    );
  }

  /** Adds variables to a notifications function's environment (the next invocations see them). */
  async configure(functionName: string, variables: Record<string, string>) {
    const FunctionName = `notifications-${this.cloud.stage}-${functionName}`;
    const current = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
    await this.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName,
        Environment: { Variables: { ...(current.Environment?.Variables ?? {}), ...variables } },
      }),
    );
  }
}

export const header = (mail: LocalEmail, name: string) =>
  mail.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
