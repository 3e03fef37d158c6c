// `npm run bench -- notifications`: on one local cloud (identity + notifications), 1,000 triggering
// events for 100 recipients of a tenant of the bench's own, put on the stage's bus as activity
// publishes them, at a steady pace: 500 MessageSent (category messages, instant by default) and 500
// CommentCreated (category comments, digest by default, its window shortened to 30 s through the
// functions' environment so the digests close within the run). Every recipient is sent 5 of each.
// Measured from the local SES mailbox (its /store API, polled every 200 ms):
//  - e-mails sent, by kind (instant messages, first comments, digests), and SendEmail calls per
//    triggering event (the mailer sends one e-mail per call; every accepted call is one mailbox entry);
//  - for the instant e-mails, the time from the PutEvents that carried the triggering event to the
//    poll that first saw the e-mail: p50, p99 (so up to ~200 ms more than the true figure).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalCloud } from '../../libs/local-cloud/src';
import type { RunningLocalCloud } from '../../libs/local-cloud/src';
import { listEmails } from '../../libs/local-cloud/src/emulators/ses';
import { sleep } from './lib/proc';
import { percentile, until } from './lib/webhooks';
import type { BenchPart, PartContext, Section } from './lib/types';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const RECIPIENTS = 100;
const EVENTS = 1_000;
const PACE_PER_SECOND = 25;
const WINDOW_SECONDS = 30;
const POLL_MS = 200;
/** Instant e-mails: one per message; comments: a first e-mail and one digest per recipient. */
const EXPECTED = EVENTS / 2 + 2 * RECIPIENTS;
const DRAIN_TIMEOUT_MS = 240_000;

interface Results {
  setup: Record<string, number | string>;
  mails?: {
    total: number;
    instant: number;
    firstComments: number;
    digests: number;
    digestLines: number;
    duplicates: number;
    publishS: number;
    lastMailS: number;
  };
  latency?: { samples: number; p50: number; p99: number; max: number; lost: number };
}

async function measure(context: PartContext, results: Results): Promise<void> {
  context.log('starting the local cloud with identity and notifications');
  const started = performance.now();
  const cloud: RunningLocalCloud = await startLocalCloud({
    services: ['identity', 'notifications'],
    port: 0,
    stateDir: join(context.scratchDir, 'cloud'),
    verbose: context.options.verbose,
    timeoutMs: 300_000,
  });
  const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
  const events = new EventBridgeClient({ ...common, endpoint: cloud.endpoints.events });
  const lambda = new LambdaClient({ ...common, endpoint: cloud.endpoints.lambda });
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...common, endpoint: cloud.endpoints.dynamodb }),
  );
  const run = Date.now().toString(36);
  const tenantId = `ten_BENCH${run.toUpperCase()}`;
  const userId = (i: number) => `usr_BENCH${run.toUpperCase()}${i}`;
  const address = (i: number) => `bench-${run}-${i}@example.com`;
  const put = async (detailType: string, source: string, body: Record<string, unknown>) => {
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: `switchyard-${cloud.stage}-bus`,
            Source: source,
            DetailType: detailType,
            Detail: JSON.stringify({
              version: 1,
              id: randomUUID(),
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
  };
  try {
    results.setup.cloudReadyS = (performance.now() - started) / 1000;
    for (const name of ['notify', 'sweepDigests']) {
      const FunctionName = `notifications-${cloud.stage}-${name}`;
      const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName,
          Environment: {
            Variables: {
              ...(current.Environment?.Variables ?? {}),
              DIGEST_WINDOW_SECONDS: String(WINDOW_SECONDS),
            },
          },
        }),
      );
    }
    context.log(`projecting ${RECIPIENTS} recipients`);
    await put('TenantCreated', 'switchyard.identity', {
      name: 'Bench',
      adminUserId: userId(0),
      createdAt: new Date().toISOString(),
    });
    for (let i = 0; i < RECIPIENTS; i++)
      await put('UserCreated', 'switchyard.identity', {
        userId: userId(i),
        email: address(i),
        role: 'viewer',
        groups: ['Viewers'],
        status: 'active',
        displayName: `Person ${i}`,
        createdAt: new Date().toISOString(),
      });
    for (let i = 0; i < RECIPIENTS; i++)
      await until(
        `recipient ${i} projected`,
        async () =>
          (
            await doc.send(
              new GetCommand({
                TableName: `notifications-${cloud.stage}`,
                Key: { pk: `TENANT#${tenantId}`, sk: `USER#${userId(i)}` },
              }),
            )
          ).Item !== undefined,
        60_000,
      );

    // The mailbox, polled; each e-mail's first sighting kept by message id.
    const seen = new Map<string, { at: number; subject: string; text: string; to: string }>();
    const sinceEpoch = Math.floor(Date.now() / 1000) - 1;
    let polling = true;
    const poller = (async () => {
      let since = sinceEpoch;
      while (polling) {
        const pollStarted = Date.now();
        for (const mail of await listEmails(cloud.endpoints.ses, since)) {
          if (seen.has(mail.messageId) || !mail.destination.to.some((to) => to.includes(`bench-${run}-`)))
            continue;
          seen.set(mail.messageId, {
            at: performance.now(),
            subject: mail.subject,
            text: mail.body.text ?? '',
            to: mail.destination.to.join(','),
          });
        }
        since = Math.max(sinceEpoch, Math.floor(pollStarted / 1000) - 2);
        await sleep(POLL_MS);
      }
    })();

    context.log(`putting ${EVENTS} events at ${PACE_PER_SECOND}/s`);
    const putAt = new Map<string, number>();
    const publishStarted = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const due = publishStarted + (i * 1000) / PACE_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const to = Math.floor(i / 2) % RECIPIENTS;
      const from = (to + 1) % RECIPIENTS;
      const marker = `bench-${run}-event-${i}`;
      if (i % 2 === 0) {
        putAt.set(marker, performance.now());
        await put('MessageSent', 'switchyard.activity', {
          conversationId: `cnv_${to}`,
          messageId: `msg_${randomUUID()}`,
          senderId: userId(from),
          senderDisplayName: `Person ${from}`,
          participantIds: [userId(from), userId(to)],
          textPreview: marker,
          attachmentCount: 0,
          sentAt: new Date().toISOString(),
        });
      } else {
        await put('CommentCreated', 'switchyard.activity', {
          commentId: `cmt_${randomUUID()}`,
          itemId: `doc-${to}`,
          authorId: userId(from),
          authorDisplayName: `Person ${from}`,
          textPreview: marker,
          earlierCommenterIds: [userId(to)],
          createdAt: new Date().toISOString(),
        });
      }
    }
    const publishS = (performance.now() - publishStarted) / 1000;
    context.log(
      `put in ${publishS.toFixed(1)} s; waiting for ${EXPECTED} e-mails (digests close within ~90 s)`,
    );
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (seen.size < EXPECTED && performance.now() < deadline) await sleep(500);
    // Anything more (a duplicate) would show within a sweep.
    await sleep(5_000);
    polling = false;
    await poller;

    const mails = [...seen.values()];
    const digests = mails.filter((m) => /^\d+ new comments( on .+)?$/.test(m.subject));
    const firstComments = mails.filter((m) => / commented on /.test(m.subject));
    const instant = mails.filter((m) => m.subject.startsWith('New message from '));
    const perMarker = new Map<string, number[]>();
    for (const m of instant) {
      const marker = /bench-[a-z0-9]+-event-\d+/.exec(m.text)?.[0];
      if (marker) perMarker.set(marker, [...(perMarker.get(marker) ?? []), m.at]);
    }
    const latencies = [...perMarker.entries()]
      .map(([marker, at]) => Math.min(...at) - putAt.get(marker)!)
      .sort((a, b) => a - b);
    results.mails = {
      total: mails.length,
      instant: instant.length,
      firstComments: firstComments.length,
      digests: digests.length,
      digestLines: digests.reduce((n, m) => n + Number(/^(\d+)/.exec(m.subject)?.[1] ?? 0), 0),
      duplicates: [...perMarker.values()].reduce((n, at) => n + at.length - 1, 0),
      publishS,
      lastMailS: (Math.max(...mails.map((m) => m.at)) - publishStarted) / 1000,
    };
    results.latency = {
      samples: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      lost: EVENTS / 2 - perMarker.size,
    };
  } finally {
    events.destroy();
    lambda.destroy();
    await cloud.stop();
  }
}

function sections(results: Results, failure: string | undefined): Section[] {
  const m = results.mails;
  const l = results.latency;
  const ms = (value: number | undefined) => ({
    value: value === undefined || Number.isNaN(value) ? null : Math.round(value),
    unit: 'ms',
  });
  return [
    {
      id: 'a',
      title: `${EVENTS} triggering events (${EVENTS / 2} MessageSent, ${EVENTS / 2} CommentCreated) for ${RECIPIENTS} recipients at ${PACE_PER_SECOND}/s`,
      figures: [
        { label: 'e-mails sent', value: m?.total ?? null },
        { label: 'instant (messages)', value: m?.instant ?? null },
        { label: 'first comment of a window', value: m?.firstComments ?? null },
        { label: 'digests', value: m?.digests ?? null },
        { label: 'comments listed or counted in digests', value: m?.digestLines ?? null },
        {
          label: 'SendEmail calls per triggering event',
          value: m ? Number((m.total / EVENTS).toFixed(3)) : null,
        },
        { label: 'duplicate instant e-mails', value: m?.duplicates ?? null },
        { label: 'putting the events took', value: m ? Number(m.publishS.toFixed(1)) : null, unit: 's' },
        { label: 'first put → last e-mail', value: m ? Number(m.lastMailS.toFixed(1)) : null, unit: 's' },
      ],
      goals: [],
      notes: [
        `Expected ${EXPECTED}: one e-mail per message, and per recipient one first comment and one digest of the other 4 (window ${WINDOW_SECONDS} s, swept every minute).`,
      ],
      ...(failure ? { error: failure } : {}),
    },
    {
      id: 'b',
      title: 'instant e-mails: the triggering PutEvents → the e-mail in the local mailbox',
      figures: [
        { label: 'samples', value: l?.samples ?? null },
        { label: 'p50', ...ms(l?.p50) },
        { label: 'p99', ...ms(l?.p99) },
        { label: 'max', ...ms(l?.max) },
        { label: 'not mailed', value: l?.lost ?? null },
      ],
      goals: [],
      notes: [
        `Arrival is the mailbox poll (every ${POLL_MS} ms) that first saw the e-mail. Local cloud ready in ${Number(results.setup.cloudReadyS ?? 0).toFixed(1)} s.`,
      ],
    },
  ];
}

export const notificationsPart: BenchPart = {
  name: 'notifications',
  description: '1,000 triggering events for 100 recipients: e-mails, SES calls per event, latency p50/p99',
  async run(context) {
    const results: Results = { setup: {} };
    let failure: string | undefined;
    try {
      await measure(context, results);
    } catch (error) {
      failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
    }
    return sections(results, failure);
  },
};
