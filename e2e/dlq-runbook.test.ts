// e2e: docs/runbooks/dlq.md, step by step, on a real local cloud running identity, ingest and ops.
//
// The incident: a bad deploy points ingest's projection consumer (projectState) at a table that does
// not exist (`aws lambda update-function-configuration`, which the local cloud answers). Meanwhile
// operators create and revoke API keys: every ApiKeyCreated/ApiKeyRevoked fails, and after
// maxReceiveCount deliveries SQS moves them to ingest's projections DLQ. New keys do not work in
// ingest. The on-call engineer follows the runbook with `npx switchyard` (run in process, pointed at
// this cloud's dev.json): the alarm, list, peek (with the consumer's reason), the fix, a dry run, the
// replays, and the checks. Exactly once: each key's projection record counts the changes applied to
// it (`revision`, bumped only by an applied change, never by a repeat), and a duplicate delivery of
// a replayed message changes nothing.
//
// Speed: the projections queue's visibility timeout (60 s) and maxReceiveCount (5) are lowered with
// SQS SetQueueAttributes for this suite, so a failing message reaches the DLQ in seconds, not minutes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SQSClient,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { CreatedKey } from '@switchyard/cli/src/commands/keys';
import { createKey, runCli, runCliJson, useDevJson } from '@switchyard/cli/src/testing';
import { eventually, LOCAL_CREDENTIALS, startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';

const CONSUMER = 'ingest-local-projectState';
const SOURCE = 'ingest-local-projections';
const DLQ = 'ingest-local-projections-dlq';
const ALARM = 'ingest-local-projections-dlq-not-empty';
const STATE_TABLE = 'ingest-local-state';

let cloud: RunningLocalCloud;
let sqs: SQSClient;
let lambda: LambdaClient;
let dynamodb: DynamoDBClient;
let restoreDevJson: () => void = () => {};

/** `npx switchyard ...args --json`, in process; throws on a non-zero exit. */
const switchyard = <T>(...args: string[]) => runCliJson<T>(args);

/** A step of the runbook takes up to a minute on the local cloud. */
const STEP_MS = 60_000;

/** What ingest answers a key with (GET /inbox): 200 when its projection knows the key, 401 otherwise. */
async function ingestStatus(key: string): Promise<number> {
  const response = await fetch(`${cloud.apiUrl}/inbox?limit=1`, {
    headers: { authorization: `Bearer ${key}` },
  });
  await response.arrayBuffer();
  return response.status;
}

/** How many changes ingest's projection applied to a key (its `revision`). */
async function revision(keyId: string): Promise<number | undefined> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({
      TableName: STATE_TABLE,
      Key: { pk: { S: `KEY#${keyId}` }, sk: { S: 'KEY' } },
      ConsistentRead: true,
    }),
  );
  return Item?.revision?.N === undefined ? undefined : Number(Item.revision.N);
}

async function queueDepth(name: string): Promise<number> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

/** The ApiKeyCreated envelopes peek showed, by key id, to send one again later. */
const createdBodies = new Map<string, string>();

beforeAll(async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'sy-e2e-dlq-'));
  cloud = await startLocalCloud({ services: ['identity', 'ingest', 'ops'], stateDir });
  restoreDevJson = useDevJson(join(stateDir, 'dev.json'));
  const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
  sqs = new SQSClient({ ...common, endpoint: cloud.endpoints.sqs });
  lambda = new LambdaClient({ ...common, endpoint: cloud.endpoints.lambda });
  dynamodb = new DynamoDBClient({ ...common, endpoint: cloud.endpoints.dynamodb });

  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: SOURCE }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }),
  );
  const redrive = JSON.parse(Attributes!.RedrivePolicy!) as { deadLetterTargetArn: string };
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl,
      Attributes: {
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: redrive.deadLetterTargetArn,
          maxReceiveCount: 2,
        }),
      },
    }),
  );
  // The demo tenant's admin key is projected before anything breaks.
  await eventually(async () => ((await ingestStatus(cloud.apiKey!)) === 200 ? true : undefined), {
    what: 'ingest knows the demo admin key',
    timeoutMs: STEP_MS,
  });
});

afterAll(async () => {
  await cloud?.stop();
  restoreDevJson();
});

describe('runbook: a DLQ alarm fired (docs/runbooks/dlq.md)', () => {
  let goodEnvironment: Record<string, string>;
  const created: CreatedKey[] = [];
  let revokedKey: CreatedKey;

  it('the incident: a bad deploy breaks the projection consumer and key changes pile up in its DLQ', async () => {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: CONSUMER }));
    goodEnvironment = config.Environment!.Variables!;
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: CONSUMER,
        Environment: { Variables: { ...goodEnvironment, STATE_TABLE: 'ingest-local-state-v2' } },
      }),
    );

    for (let i = 0; i < 4; i++)
      created.push(await createKey(cloud.tenantId!, 'creator', { email: `dlq-${i}@example.com` }));
    revokedKey = created[0]!;
    expect((await runCli(['keys', 'revoke', revokedKey.keyId])).code).toBe(0);

    // 4 ApiKeyCreated + 1 ApiKeyRevoked, each refused twice, then moved by SQS.
    await eventually(async () => ((await queueDepth(DLQ)) >= 5 ? true : undefined), {
      what: 'the DLQ holds the 5 key changes',
      timeoutMs: STEP_MS,
    });
    expect(await queueDepth(DLQ)).toBe(5);
    // The symptom customers see: their new keys are refused by ingest.
    expect(await ingestStatus(created[1]!.key)).toBe(401);
  });

  it('the alarm fires: `npx switchyard status` shows it', async () => {
    const status = await eventually(
      async () => {
        const facts = await switchyard<{ alarms: { name: string; state: string; depth: number }[] }>(
          'status',
        );
        const alarm = facts.alarms.find((a) => a.name === ALARM);
        // Alarms are evaluated every 5 s: one taken while the key changes were still moving to the
        // DLQ fires with the depth of that moment, and the next one reports all of them.
        return alarm?.state === 'ALARM' && alarm.depth >= 5 ? alarm : undefined;
      },
      { what: 'the alarm is in ALARM in dev.json with the 5 key changes' },
    );
    expect(status.depth).toBe(5);
    expect(cloud.output()).toContain(`ALARM ${ALARM}`);
  });

  it('step 1: dlq list names the DLQ, its source queue and consumer', async () => {
    const dlqs = await switchyard<
      { name: string; sourceQueue: string; consumer: string; depth: number; oldestAgeSeconds: number }[]
    >('dlq', 'list');
    expect(dlqs.find((d) => d.name === DLQ)).toMatchObject({
      sourceQueue: SOURCE,
      consumer: CONSUMER,
      depth: 5,
    });
    expect(dlqs.find((d) => d.name === DLQ)!.oldestAgeSeconds).toEqual(expect.any(Number));
  });

  it('step 2: dlq peek shows each change and why the consumer failed, and consumes nothing', async () => {
    const peeked = await switchyard<{
      messages: {
        detailType: string;
        tenantId: string;
        eventId: string;
        failure: { reason: string } | null;
        body: { detail: { keyId: string } };
      }[];
    }>('dlq', 'peek', DLQ, '--limit', '20', '--body');
    for (const message of peeked.messages)
      if (message.detailType === 'ApiKeyCreated')
        createdBodies.set(message.body.detail.keyId, JSON.stringify(message.body));
    expect(peeked.messages.map((m) => m.detailType).sort()).toEqual([
      'ApiKeyCreated',
      'ApiKeyCreated',
      'ApiKeyCreated',
      'ApiKeyCreated',
      'ApiKeyRevoked',
    ]);
    for (const message of peeked.messages) {
      expect(message.tenantId).toBe(cloud.tenantId);
      expect(message.failure?.reason).toMatch(/^ResourceNotFoundException: /);
    }
    expect(await queueDepth(DLQ)).toBe(5);
  });

  it('step 3: fix the cause (put the configuration back)', async () => {
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: CONSUMER,
        Environment: { Variables: goodEnvironment },
      }),
    );
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: CONSUMER }));
    expect(config.Environment?.Variables?.STATE_TABLE).toBe(STATE_TABLE);
  });

  it('step 4: a dry run shows what would move and moves nothing', async () => {
    const dryRun = await switchyard<{ selected: number; moved: number }>('dlq', 'replay', DLQ, '--dry-run');
    expect(dryRun).toMatchObject({ selected: 5, moved: 0 });
    expect(await queueDepth(DLQ)).toBe(5);
  });

  it('step 5: replay the creations, then the rest', async () => {
    const first = await switchyard<{ moved: number; skipped: number; returned: number }>(
      'dlq',
      'replay',
      DLQ,
      '--filter',
      'detail-type=ApiKeyCreated',
      '--rate',
      '10',
    );
    expect(first).toMatchObject({ moved: 4, skipped: 1, returned: 0 });
    const rest = await switchyard<{ moved: number; returned: number }>('dlq', 'replay', DLQ);
    expect(rest).toMatchObject({ moved: 1, returned: 0 });
  });

  it('step 6: it is over: DLQ empty, alarm OK, keys work, and every change was applied exactly once', async () => {
    await eventually(
      async () => ((await queueDepth(SOURCE)) === 0 && (await queueDepth(DLQ)) === 0 ? true : undefined),
      {
        what: 'the projections queue is drained',
        timeoutMs: STEP_MS,
      },
    );
    for (const key of created.slice(1)) {
      await eventually(async () => ((await ingestStatus(key.key)) === 200 ? true : undefined), {
        what: `ingest accepts ${key.keyId}`,
        timeoutMs: STEP_MS,
      });
    }
    expect(await ingestStatus(revokedKey.key)).toBe(401);
    // Created once (revision 1); the revoked key was created and revoked (revision 2).
    expect(await revision(revokedKey.keyId)).toBe(2);
    for (const key of created.slice(1)) expect(await revision(key.keyId)).toBe(1);

    await eventually(
      async () => {
        const facts = await switchyard<{ alarms: { name: string; state: string }[] }>('status');
        return facts.alarms.find((a) => a.name === ALARM)?.state === 'OK' ? true : undefined;
      },
      { what: 'the alarm is OK again' },
    );
    const dlqs = await switchyard<{ name: string; depth: number }[]>('dlq', 'list');
    expect(dlqs.find((d) => d.name === DLQ)?.depth).toBe(0);

    const history = await switchyard<{ action: string; dryRun: boolean; moved: number; actor: string }[]>(
      'dlq',
      'history',
      DLQ,
    );
    expect(history.map((h) => [h.action, h.dryRun, h.moved])).toEqual([
      ['replay', false, 1],
      ['replay', false, 4],
      ['replay', true, 0],
    ]);
    expect(history[0]!.actor).toBe('arn:aws:iam::000000000000:user/local-operator');
  });

  it('a repeat of a replayed change (a duplicate delivery) has no effect: the handling is idempotent', async () => {
    const key = created[1]!;
    const body = createdBodies.get(key.keyId);
    expect(body).toBeDefined();
    const before = await revision(key.keyId);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: SOURCE }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body! }));
    await eventually(async () => ((await queueDepth(SOURCE)) === 0 ? true : undefined), {
      what: 'the duplicate is consumed',
      timeoutMs: STEP_MS,
    });
    expect(await revision(key.keyId)).toBe(before);
    expect(await queueDepth(DLQ)).toBe(0);
  });
});
