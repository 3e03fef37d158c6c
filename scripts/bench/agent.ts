// `npm run bench -- agent`: the agent's streaming path on one local cloud (identity + agent), with
// the stand-in model (a fixed pause between its chunks, so what is left is the agent's own cost).
//  (a) time to first byte and to first `text` of POST /agent/stream, sequential questions: p50, p99.
//  (b) the agent's overhead per streamed chunk: the gap between two `text` frames at the client minus
//      the stand-in model's own pause: p50, p99.
//  (c) concurrent streams: N questions at once; how many were streaming at the same moment.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { startLocalCloud } from '../../libs/local-cloud/src';
import type { RunningLocalCloud } from '../../libs/local-cloud/src';
import type { BenchPart, PartContext, Section } from './lib/types';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const CHUNK_DELAY_MS = 20;
const SEQUENTIAL_QUESTIONS = 40;
const CONCURRENT_STREAMS = 8;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Timed {
  status: number;
  firstByteMs: number;
  firstTextMs: number;
  textAt: number[];
  startedAt: number;
  endedAt: number;
}

/** One streamed question, timed at the client. */
function ask(cloud: RunningLocalCloud, key: string, query: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const body = JSON.stringify({ query });
    const req = request(
      new URL('/agent/stream', cloud.apiUrl),
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let firstByteMs = Number.NaN;
        const textAt: number[] = [];
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = performance.now();
          if (Number.isNaN(firstByteMs)) firstByteMs = now - startedAt;
          pending += chunk;
          let end = pending.indexOf('\n\n');
          while (end >= 0) {
            if (pending.startsWith('event: text')) textAt.push(now);
            pending = pending.slice(end + 2);
            end = pending.indexOf('\n\n');
          }
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            firstByteMs,
            firstTextMs: textAt.length ? textAt[0]! - startedAt : Number.NaN,
            textAt,
            startedAt,
            endedAt: performance.now(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function measure(context: PartContext): Promise<Section[]> {
  context.log('starting a local cloud with identity and agent');
  const cloud = await startLocalCloud({ services: ['identity', 'agent'], timeoutMs: 300_000 });
  const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
  const lambda = new LambdaClient({ ...common, endpoint: cloud.endpoints.lambda });
  const events = new EventBridgeClient({ ...common, endpoint: cloud.endpoints.events });
  try {
    if (!cloud.tenantId || !cloud.apiKey) throw new Error(`no demo tenant: ${cloud.missing.join('; ')}`);
    const key = cloud.apiKey;
    // No cooldown and a quota the bench cannot use up, so every question is answered.
    const FunctionName = `agent-${cloud.stage}-askStream`;
    const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName,
        Environment: {
          Variables: {
            ...(current.Environment?.Variables ?? {}),
            AGENT_COOLDOWN_SECONDS: '0',
            STAND_IN_CHUNK_DELAY_MS: String(CHUNK_DELAY_MS),
          },
        },
      }),
    );
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: `switchyard-${cloud.stage}-bus`,
            Source: 'switchyard.billing',
            DetailType: 'SubscriptionChanged',
            Detail: JSON.stringify({
              version: 1,
              id: randomUUID(),
              time: new Date().toISOString(),
              correlationId: randomUUID(),
              tenantId: cloud.tenantId,
              subscriptionId: 'sub_bench',
              new: {
                status: 'active',
                plan: 'bench',
                quotas: {
                  eventsPerMonth: 1_000_000,
                  requestsPerSecond: 100,
                  agentQueriesPerMonth: 1_000_000,
                },
                entitled: true,
              },
              changedAt: new Date().toISOString(),
            }),
          },
        ],
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // A question the stand-in answers without a tool: its whole text, in chunks.
    const question = 'hello';
    await ask(cloud, key, question); // warm the function

    context.log(`(a, b) ${SEQUENTIAL_QUESTIONS} streamed questions, one after the other`);
    const runs: Timed[] = [];
    for (let i = 0; i < SEQUENTIAL_QUESTIONS; i++) runs.push(await ask(cloud, key, question));
    const ok = runs.filter((r) => r.status === 200);
    const ttfb = ok.map((r) => r.firstByteMs).sort((x, y) => x - y);
    const ttft = ok.map((r) => r.firstTextMs).sort((x, y) => x - y);
    const overhead = ok
      .flatMap((r) => r.textAt.slice(1).map((at, i) => at - r.textAt[i]! - CHUNK_DELAY_MS))
      .sort((x, y) => x - y);

    context.log(`(c) ${CONCURRENT_STREAMS} streams at once (after a round that starts the workers)`);
    const round = () =>
      Promise.all(Array.from({ length: CONCURRENT_STREAMS }, () => ask(cloud, key, question)));
    await round();
    const together = await round();
    // The most streams open at one moment: a sweep over [first byte, end] of each answered stream.
    const marks = together
      .filter((r) => r.status === 200)
      .flatMap((r) => [
        { at: r.startedAt + r.firstByteMs, delta: 1 },
        { at: r.endedAt, delta: -1 },
      ])
      .sort((x, y) => x.at - y.at || x.delta - y.delta);
    let open = 0;
    let held = 0;
    for (const mark of marks) {
      open += mark.delta;
      held = Math.max(held, open);
    }

    return [
      {
        id: 'a',
        title: '(a) first byte and first text of POST /agent/stream (stand-in model)',
        figures: [
          { label: 'questions answered', value: ok.length },
          { label: 'first byte p50', value: Math.round(percentile(ttfb, 50)), unit: 'ms' },
          { label: 'first byte p99', value: Math.round(percentile(ttfb, 99)), unit: 'ms' },
          { label: 'first text p50', value: Math.round(percentile(ttft, 50)), unit: 'ms' },
          { label: 'first text p99', value: Math.round(percentile(ttft, 99)), unit: 'ms' },
        ],
        goals: [],
        notes: [
          'First byte: the stream opens after the gates (two DynamoDB reads here; with a cooldown, one conditional write more).',
        ],
      },
      {
        id: 'b',
        title: `(b) the agent's overhead per streamed chunk (gap minus the model's ${CHUNK_DELAY_MS} ms pause)`,
        figures: [
          { label: 'chunks measured', value: overhead.length },
          { label: 'overhead p50', value: Number(percentile(overhead, 50).toFixed(2)), unit: 'ms' },
          { label: 'overhead p99', value: Number(percentile(overhead, 99).toFixed(2)), unit: 'ms' },
        ],
        goals: [],
        notes: [],
      },
      {
        id: 'c',
        title: `(c) ${CONCURRENT_STREAMS} streams at once`,
        figures: [
          { label: 'answered', value: together.filter((r) => r.status === 200).length },
          {
            label: 'other statuses',
            value:
              together
                .filter((r) => r.status !== 200)
                .map((r) => r.status)
                .join(' ') || 'none',
          },
          { label: 'most streaming at one moment', value: held },
        ],
        goals: [],
        notes: ['The function host runs at most 4 invocations of a function group at once; the rest queue.'],
      },
    ];
  } finally {
    lambda.destroy();
    events.destroy();
    await cloud.stop();
  }
}

export const agentPart: BenchPart = {
  name: 'agent',
  description: 'the agent: first SSE byte, overhead per streamed chunk, concurrent streams',
  run: (context) => measure(context),
};
