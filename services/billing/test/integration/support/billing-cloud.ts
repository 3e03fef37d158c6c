// What billing's suites need around the real local cloud: signed Stripe events sent to the webhook,
// billing's table read back, messages put on the bus as their producers would, and a function's
// environment changed as an operator would on AWS (Lambda's UpdateFunctionConfiguration).
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { sendWebhook } from '@switchyard/cli/src/stripe/events';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import { LOCAL_CREDENTIALS } from '@switchyard/local-cloud';

export class BillingCloud {
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

  get secret(): string {
    if (!this.cloud.stripeWebhookSecret) throw new Error('the local cloud gave billing no webhook secret');
    return this.cloud.stripeWebhookSecret;
  }

  send(event: object, options: { timestamp?: number; signature?: string; secret?: string } = {}) {
    return sendWebhook(this.cloud.apiUrl, event, options.secret ?? this.secret, options);
  }

  async item(pk: string, sk: string, table = `billing-${this.cloud.stage}`) {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }),
    );
    return Item;
  }

  tenant(tenantId: string) {
    return this.item(`TENANT#${tenantId}`, 'BILLING');
  }

  /** Puts messages on the stage's bus as `source` would publish them (header filled in here). */
  async publish(source: string, detailType: string, details: Record<string, unknown>[]) {
    for (let i = 0; i < details.length; i += 10) {
      const out = await this.events.send(
        new PutEventsCommand({
          Entries: details.slice(i, i + 10).map((detail) => ({
            EventBusName: `switchyard-${this.cloud.stage}-bus`,
            Source: source,
            DetailType: detailType,
            Detail: JSON.stringify({ version: 1, correlationId: randomUUID(), ...detail }),
          })),
        }),
      );
      if (out.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(out.Entries)}`);
    }
  }

  /** Adds variables to a billing function's environment (the next invocations see them). */
  async configure(functionName: string, variables: Record<string, string>) {
    const FunctionName = `billing-${this.cloud.stage}-${functionName}`;
    const current = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
    await this.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName,
        Environment: { Variables: { ...(current.Environment?.Variables ?? {}), ...variables } },
      }),
    );
  }
}
