// `npm run bench -- activity`: comments on one local cloud (identity + activity), through the public
// routes with people's tokens (invited into the demo tenant, signed in with the e-mailed code).
//  (a) throughput: comments posted by several people from N concurrent connections for the
//      duration (the per-person limit raised for the bench, as an operator would set
//      COMMENTS_PER_MINUTE): comments/s answered 201.
//  (b) lag: comments posted at a steady pace, each on an item of its own; each timed from the start
//      of its POST to (1) GET /items/{itemId}/stats showing commentCount 1 (polled every 50 ms) and
//      (2) its CommentCreated reaching a queue on the bus (the queue's SentTimestamp): p50, p99.
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { busQueue, startLocalCloud } from '../../libs/local-cloud/src';
import type { RunningLocalCloud } from '../../libs/local-cloud/src';
import { listEmails } from '../../libs/local-cloud/src/emulators/ses';
import { sleep } from './lib/proc';
import type { BenchPart, PartContext, Section } from './lib/types';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const PEOPLE = 4;
const LAG_COMMENTS = 40;
const LAG_PACE_PER_SECOND = 2;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Results {
  setup: Record<string, unknown>;
  throughput?: { comments: number; refused: number; seconds: number; perSecond: number; connections: number };
  lag?: { countMs: number[]; busMs: number[] };
}

async function call(
  cloud: RunningLocalCloud,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
) {
  const response = await fetch(new URL(path, cloud.apiUrl), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** A person invited into the demo tenant and signed in with the code from the local mailbox. */
async function person(cloud: RunningLocalCloud, label: string): Promise<string> {
  const email = `bench-${label}-${Date.now().toString(36)}@example.com`;
  const invited = await call(cloud, cloud.apiKey!, 'POST', '/users', {
    email,
    displayName: `Bench ${label}`,
  });
  if (invited.status !== 201) throw new Error(`inviting a bench person: ${invited.status}`);
  if ((await call(cloud, undefined, 'POST', '/auth/login', { email })).status !== 202)
    throw new Error('sign-in refused');
  for (let tries = 0; tries < 300; tries++) {
    const mail = (await listEmails(cloud.endpoints.ses)).find(
      (m) => m.destination.to.includes(email) && m.subject.startsWith('Your Switchyard sign-in code'),
    );
    const code = mail && /\b(\d{6})\b/.exec(mail.subject)?.[1];
    if (code) {
      const verified = await call(cloud, undefined, 'POST', '/auth/verify', { email, code });
      if (verified.status !== 200) throw new Error(`verify: ${verified.status}`);
      return String(verified.body.accessToken);
    }
    await sleep(100);
  }
  throw new Error('no sign-in code arrived');
}

async function raiseCommentLimit(cloud: RunningLocalCloud): Promise<void> {
  const lambda = new LambdaClient({
    region: cloud.region,
    endpoint: cloud.endpoints.lambda,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const FunctionName = `activity-${cloud.stage}-createComment`;
    const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName,
        Environment: {
          Variables: { ...(current.Environment?.Variables ?? {}), COMMENTS_PER_MINUTE: '10000' },
        },
      }),
    );
  } finally {
    lambda.destroy();
  }
}

async function measure(context: PartContext, results: Results): Promise<void> {
  context.log('starting a local cloud with identity and activity');
  const cloud = await startLocalCloud({ services: ['identity', 'activity'] });
  try {
    if (!cloud.tenantId || !cloud.apiKey) throw new Error(`no demo tenant: ${cloud.missing.join('; ')}`);
    const tokens = await Promise.all(Array.from({ length: PEOPLE }, (_, i) => person(cloud, `p${i}`)));
    await raiseCommentLimit(cloud);
    const connections = Math.max(1, Math.min(context.options.connections, 16));
    results.setup = { services: cloud.services, people: PEOPLE, connections };

    // (a) throughput.
    const load = async (seconds: number, item: string) => {
      let ok = 0;
      let refused = 0;
      const until = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: connections }, async (_, c) => {
          let n = 0;
          while (performance.now() < until) {
            const answer = await call(
              cloud,
              tokens[c % PEOPLE],
              'POST',
              `/comments/${encodeURIComponent(`${item}/${c % 8}`)}`,
              {
                text: `bench comment ${c}-${n++}`,
              },
            );
            if (answer.status === 201) ok += 1;
            else refused += 1;
          }
        }),
      );
      return { ok, refused };
    };
    context.log(`(a) warming up ${context.options.warmupSeconds}s`);
    await load(context.options.warmupSeconds, 'bench-warmup');
    context.log(`(a) ${context.options.durationSeconds}s from ${connections} connections`);
    const started = performance.now();
    const loaded = await load(context.options.durationSeconds, 'bench-load');
    const seconds = (performance.now() - started) / 1000;
    results.throughput = {
      comments: loaded.ok,
      refused: loaded.refused,
      seconds,
      perSecond: loaded.ok / seconds,
      connections,
    };

    // (b) lag. Let the stream consumers drain the load first.
    await sleep(5000);
    const queue = await busQueue(
      cloud,
      { source: ['switchyard.activity'], 'detail-type': ['CommentCreated'] },
      'bench-activity',
    );
    try {
      const busAt = new Map<string, number>();
      let listening = true;
      const listener = (async () => {
        while (listening) {
          const messages = await queue.receive(['SentTimestamp']);
          for (const m of messages) {
            const detail = (JSON.parse(m.Body ?? '{}') as { detail?: { commentId?: string } }).detail;
            if (detail?.commentId) busAt.set(detail.commentId, Number(m.Attributes?.SentTimestamp));
          }
          await queue.remove(messages);
        }
      })();
      const run = `${Date.now().toString(36)}`;
      context.log(`(b) ${LAG_COMMENTS} comments at ${LAG_PACE_PER_SECOND}/s`);
      const samples: Promise<{ countMs: number; commentId: string; postedEpoch: number }>[] = [];
      for (let i = 0; i < LAG_COMMENTS; i++) {
        const item = `bench-lag-${run}-${i}`;
        const token = tokens[i % PEOPLE];
        samples.push(
          (async () => {
            const postedEpoch = Date.now();
            const start = performance.now();
            const posted = await call(cloud, token, 'POST', `/comments/${encodeURIComponent(item)}`, {
              text: 'lag',
            });
            if (posted.status !== 201) throw new Error(`POST /comments answered ${posted.status}`);
            const deadline = start + 60_000;
            while (performance.now() < deadline) {
              const stats = await call(cloud, token, 'GET', `/items/${encodeURIComponent(item)}/stats`);
              if (stats.body.commentCount === 1) break;
              await sleep(50);
            }
            return {
              countMs: performance.now() - start,
              commentId: String(posted.body.commentId),
              postedEpoch,
            };
          })(),
        );
        await sleep(1000 / LAG_PACE_PER_SECOND);
      }
      const done = await Promise.all(samples);
      const deadline = Date.now() + 60_000;
      while (done.some((d) => !busAt.has(d.commentId)) && Date.now() < deadline) await sleep(100);
      listening = false;
      await listener;
      const missing = done.filter((d) => !busAt.has(d.commentId)).length;
      if (missing > 0) throw new Error(`${missing} CommentCreated never reached the bus`);
      results.lag = {
        countMs: done.map((d) => d.countMs),
        busMs: done.map((d) => busAt.get(d.commentId)! - d.postedEpoch),
      };
    } finally {
      queue.close();
    }
  } finally {
    await cloud.stop();
  }
}

function sections(results: Results, failure?: string): Section[] {
  const a: Section = {
    id: 'a',
    title: 'POST /comments throughput (people of one tenant, the per-person limit raised)',
    figures: [],
    goals: [],
    notes: [
      'Each comment: sanitize, the rate-limit counter (one conditional update), the author read, the recent authors query, one transaction (comment + outbox item).',
    ],
    details: { setup: results.setup },
  };
  if (results.throughput) {
    const t = results.throughput;
    a.figures.push(
      { label: 'connections', value: t.connections },
      { label: 'comments (201)', value: t.comments },
      { label: 'refused', value: t.refused },
      { label: 'comments/s', value: Number(t.perSecond.toFixed(1)), unit: '/s' },
    );
  }
  const b: Section = {
    id: 'b',
    title: `POST /comments → commentCount and → CommentCreated on the bus (${LAG_COMMENTS} at ${LAG_PACE_PER_SECOND}/s)`,
    figures: [],
    goals: [],
    notes: [
      'commentCount: table stream → aggregateCounters → counter item, seen by GET /items/{itemId}/stats polled every 50 ms.',
      'CommentCreated: table stream → publishOutbox → bus → a queue of the bench (its SentTimestamp).',
    ],
  };
  if (results.lag) {
    const count = [...results.lag.countMs].sort((x, y) => x - y);
    const bus = [...results.lag.busMs].sort((x, y) => x - y);
    b.figures.push(
      { label: 'samples', value: count.length },
      { label: '→ commentCount p50', value: Math.round(percentile(count, 50)), unit: 'ms' },
      { label: '→ commentCount p99', value: Math.round(percentile(count, 99)), unit: 'ms' },
      { label: '→ CommentCreated on the bus p50', value: Math.round(percentile(bus, 50)), unit: 'ms' },
      { label: '→ CommentCreated on the bus p99', value: Math.round(percentile(bus, 99)), unit: 'ms' },
    );
    b.details = { countMs: results.lag.countMs.map(Math.round), busMs: results.lag.busMs.map(Math.round) };
  }
  if (failure) (results.throughput ? b : a).error = failure;
  return [a, b];
}

export const activityPart: BenchPart = {
  name: 'activity',
  description:
    'comments: comments/s, POST /comments → commentCount and → CommentCreated on the bus (p50/p99)',
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
