// e2e, black-box: a tenant is a team. An operator creates a tenant with the CLI; its admin invites a
// person over HTTP; the invitation and then the sign-in code arrive in the local mailbox; the person
// signs in, refreshes their session twice; a spent refresh token comes back and kills the session
// (the newest token too); the admin suspends them, and their next refresh is 401 and the API key
// they own is refused by identity, by ingest's POST /events and by delivery's routes.
//
// Measured (printed, not asserted as timings), over SAMPLES people suspended at once, each of
// whose keys every service accepted (and so cached) just before: how long after
// `PATCH /users/{id} {status: suspended}` returns each service first refuses the key, from when no
// instance accepts it any more (each polled for OBSERVE_MS), and when the ApiKeyRevoked reaches the
// bus (what an instance without a cached record waits for).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { NEGATIVE_CACHE_TTL_MS } from '@switchyard/access';
import { runCliJson, useDevJson } from '@switchyard/cli/src/testing';
import { busQueue, eventually, startLocalCloud } from '@switchyard/local-cloud';
import type { BusQueue, RunningLocalCloud } from '@switchyard/local-cloud';
import { listEmails } from '@switchyard/local-cloud/src/emulators/ses';

/** How many suspensions the propagation figures are measured over (run side by side). */
const SAMPLES = 10;
/** Pause between two requests with a suspended person's key. */
const POLL_MS = 500;
/** A key cache holds a record for under 2 s (KEY_CACHE_TTL_MS), plus the trip through the bus. */
const REFUSAL_BOUND_MS = 30_000;
/** How long each service is watched after a suspension: past the cache bound, so no acceptance is missed. */
const OBSERVE_MS = 15_000;

let cloud: RunningLocalCloud;
let restoreDevJson: () => void = () => {};
let adminKey: string;
/** What each service answered the demo key the moment startLocalCloud (the banner) said ready. */
let demoKeyAtReady: Record<string, number> = {};
let revocations: BusQueue;
/** When each ApiKeyRevoked reached the tap queue (SentTimestamp), by key id. */
const revokedOnBus = new Map<string, number>();

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Answer> {
  const response = await fetch(new URL(path, cloud.apiUrl), {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The three services' doors an API key opens: identity's key listing, ingest's publish, delivery's subscriptions. */
const doors = {
  identity: (key: string) => call('GET', '/keys?limit=1', { token: key }),
  ingest: (key: string) =>
    call('POST', '/events', { token: key, body: { event_type: 'e2e.people', payload: { hello: 'team' } } }),
  delivery: (key: string) => call('GET', '/subscriptions', { token: key }),
} as const;
type Service = keyof typeof doors;
const SERVICES = Object.keys(doors) as Service[];

/** Mail the local mailbox holds for `to`, whose subject passes `match`, waiting for it. */
function mailFor(to: string, match: (subject: string) => boolean, after = 0) {
  return eventually(
    async () => {
      const mails = (await listEmails(cloud.endpoints.ses)).filter(
        (mail) => mail.destination.to.includes(to) && match(mail.subject),
      );
      return mails.length > after ? mails.at(-1) : undefined;
    },
    { what: `an e-mail to ${to}` },
  );
}

const isCodeMail = (subject: string) => subject.startsWith('Your Switchyard sign-in code');

/** Signs a person in with the code e-mailed to them (the `after`-th code mail is the new one). */
async function signIn(email: string, after: number): Promise<{ accessToken: string; refreshToken: string }> {
  expect((await call('POST', '/auth/login', { body: { email } })).status).toBe(202);
  const mail = await mailFor(email, isCodeMail, after);
  const code = /\b(\d{6})\b/.exec(mail.subject)?.[1];
  const verified = await call('POST', '/auth/verify', { body: { email, code } });
  expect(verified.status).toBe(200);
  return { accessToken: String(verified.body.accessToken), refreshToken: String(verified.body.refreshToken) };
}

const refresh = (refreshToken: string) => call('POST', '/auth/refresh', { body: { refreshToken } });

/** A person invited by the tenant's admin, owning an admin API key: their user id, e-mail and key. */
async function invitePersonWithKey(label: string) {
  const email = `${label}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}@example.com`;
  const invited = await call('POST', '/users', { token: adminKey, body: { email, groups: ['Admins'] } });
  expect(invited.status).toBe(201);
  const created = await call('POST', '/keys', {
    token: adminKey,
    body: { role: 'admin', ownerEmail: email },
  });
  expect(created.status).toBe(201);
  const user = invited.body.user as { userId: string };
  return { userId: user.userId, email, key: String((created.body.apiKey as { key: string }).key) };
}

/** Keys reach ingest and delivery as identity's events: wait until both accept `key`. */
async function untilKnownEverywhere(key: string): Promise<void> {
  for (const service of ['ingest', 'delivery'] as const) {
    await eventually(async () => ((await doors[service](key)).status === 401 ? undefined : true), {
      what: `${service} to learn a new key`,
    });
  }
  // Another instance may have cached the key as unknown while we polled: wait out that bound.
  await sleep(NEGATIVE_CACHE_TTL_MS + 100);
}

const suspend = (userId: string) =>
  call('PATCH', `/users/${userId}`, { token: adminKey, body: { status: 'suspended' } });

/** Polls `service` with `key` until it answers 401; milliseconds from `since`, and how many requests. */
async function untilRefused(service: Service, key: string, since: number) {
  for (let tries = 1; ; tries++) {
    const { status } = await doors[service](key);
    if (status === 401) return { ms: performance.now() - since, tries };
    if (performance.now() - since > REFUSAL_BOUND_MS)
      throw new Error(`${service} still accepted a suspended person's key after ${REFUSAL_BOUND_MS} ms`);
    await sleep(POLL_MS);
  }
}

/**
 * Watches `service` with `key` for OBSERVE_MS after `since`: when it first answered 401, and from
 * when it answered nothing but 401 (no instance with a cached record accepted it any more).
 */
async function watchRefusal(service: Service, key: string, since: number) {
  let firstRefused: number | undefined;
  let refusedFrom: number | undefined;
  while (performance.now() - since < OBSERVE_MS) {
    const { status } = await doors[service](key);
    const at = performance.now() - since;
    if (status === 401) {
      firstRefused ??= at;
      refusedFrom ??= at;
    } else {
      refusedFrom = undefined;
    }
    await sleep(POLL_MS);
  }
  if (firstRefused === undefined || refusedFrom === undefined)
    throw new Error(`${service} still accepted a suspended person's key ${OBSERVE_MS} ms later`);
  return { firstRefused, refusedFrom };
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return `median ${(median / 1000).toFixed(2)} s, max ${(sorted.at(-1)! / 1000).toFixed(2)} s`;
}

beforeAll(async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'sy-e2e-people-'));
  cloud = await startLocalCloud({ services: ['identity', 'ingest', 'delivery'], stateDir });
  // The very first request with the key the banner shows, on each service, right as it is shown.
  const demo = { authorization: `Bearer ${cloud.apiKey}` };
  const [inbox, subscriptions, keys] = await Promise.all(
    ['/inbox?limit=1', '/subscriptions?limit=1', '/keys?limit=1'].map((path) =>
      fetch(new URL(path, cloud.apiUrl), { headers: demo }).then((r) => r.status),
    ),
  );
  demoKeyAtReady = { ingest: inbox!, delivery: subscriptions!, identity: keys! };
  restoreDevJson = useDevJson(join(stateDir, 'dev.json'));
  revocations = await busQueue(
    cloud,
    { source: ['switchyard.identity'], 'detail-type': ['ApiKeyRevoked'] },
    'e2e-people-revocations',
  );
  const created = await runCliJson<{ apiKey: { key: string } }>([
    'tenants',
    'create',
    '--name',
    'Team Rocket',
    '--admin-email',
    `lead.${Date.now().toString(36)}@example.com`,
  ]);
  adminKey = created.apiKey.key;
});

afterAll(async () => {
  revocations?.close();
  await cloud?.stop();
  restoreDevJson();
});

/** Drains the tap queue into `revokedOnBus` until `keyId` is there. */
async function revokedOnBusAt(keyId: string): Promise<number> {
  return eventually(
    async () => {
      const messages = await revocations.receive(['SentTimestamp']);
      for (const message of messages) {
        const detail = (JSON.parse(message.Body ?? '{}') as { detail?: { keyId?: string } }).detail;
        if (detail?.keyId) revokedOnBus.set(detail.keyId, Number(message.Attributes?.SentTimestamp));
      }
      await revocations.remove(messages);
      return revokedOnBus.get(keyId);
    },
    { what: `ApiKeyRevoked for ${keyId}`, intervalMs: 0 },
  );
}

describe('e2e: a tenant is a team', () => {
  it('ready means usable: the demo key works on every service the moment the banner shows it', () => {
    expect(demoKeyAtReady).toEqual({ ingest: 200, delivery: 200, identity: 200 });
  });

  it(
    'invites, signs in, refreshes, kills a session on reuse; a suspended person is refused everywhere',
    async () => {
      const person = await invitePersonWithKey('teammate');

      const invitation = await mailFor(person.email, (subject) => subject.includes('invited you'));
      expect(invitation.subject).toMatch(/invited you to Team Rocket on Switchyard$/);
      expect(invitation.body.text).toContain(`${cloud.apiUrl}/auth/login`);

      // Sign in with the e-mailed code, refresh twice.
      const first = await signIn(person.email, 0);
      const second = await refresh(first.refreshToken);
      expect(second.status).toBe(200);
      const third = await refresh(String(second.body.refreshToken));
      expect(third.status).toBe(200);
      const access = String(third.body.accessToken);
      expect((await call('GET', '/users', { token: access })).status).toBe(200);

      // The first token again: reuse. The session dies, its newest token with it.
      expect((await refresh(first.refreshToken)).status).toBe(401);
      expect((await refresh(String(third.body.refreshToken))).status).toBe(401);

      // A new session, and the key working at every service.
      const session = await signIn(person.email, 1);
      await untilKnownEverywhere(person.key);
      expect((await doors.identity(person.key)).status).toBe(200);
      expect((await doors.ingest(person.key)).status).toBe(202);
      expect((await doors.delivery(person.key)).status).toBe(200);

      expect((await suspend(person.userId)).status).toBe(200);
      const suspendedAt = performance.now();
      expect((await refresh(session.refreshToken)).status).toBe(401);
      expect((await doors.identity(person.key)).status).toBe(401);
      await Promise.all([
        untilRefused('ingest', person.key, suspendedAt),
        untilRefused('delivery', person.key, suspendedAt),
      ]);
      // Nor can they sign in again: no new code is sent.
      expect((await call('POST', '/auth/login', { body: { email: person.email } })).status).toBe(202);
      await sleep(1000);
      const codes = (await listEmails(cloud.endpoints.ses)).filter(
        (mail) => mail.destination.to.includes(person.email) && isCodeMail(mail.subject),
      );
      expect(codes).toHaveLength(2);
    },
    4 * 60_000,
  );

  it(
    `measures how long a suspension takes to reach identity, ingest and delivery (${SAMPLES} people)`,
    async () => {
      const people = [];
      for (let i = 0; i < SAMPLES; i++) people.push(await invitePersonWithKey(`sample${i}`));
      await Promise.all(people.map((person) => untilKnownEverywhere(person.key)));

      const results = await Promise.all(
        people.map(async (person) => {
          // Accepted (and so cached) by every service just before the suspension: the worst case.
          for (const service of SERVICES) expect((await doors[service](person.key)).status).not.toBe(401);
          const response = await suspend(person.userId);
          const suspendedAt = performance.now();
          const wallClock = Date.now();
          expect(response.status).toBe(200);
          const identityAtOnce = (await doors.identity(person.key)).status;
          const [ingest, delivery] = await Promise.all([
            watchRefusal('ingest', person.key, suspendedAt),
            watchRefusal('delivery', person.key, suspendedAt),
          ]);
          const keyId = person.key.split('_')[2]!;
          return { identityAtOnce, ingest, delivery, onBusMs: (await revokedOnBusAt(keyId)) - wallClock };
        }),
      );

      const figure = (service: 'ingest' | 'delivery') =>
        `first 401 ${stats(results.map((r) => r[service].firstRefused))}; ` +
        `refused by every instance from ${stats(results.map((r) => r[service].refusedFrom))}`;
      console.log(
        [
          `Suspension reaching the services, local cloud, n=${SAMPLES} people suspended side by side, each key`,
          `accepted by every service just before, from PATCH /users/{id} {status: suspended} returning,`,
          `polling every ${POLL_MS} ms for ${OBSERVE_MS / 1000} s:`,
          `  identity: the first request is refused (${results.filter((r) => r.identityAtOnce === 401).length}/${SAMPLES})`,
          `  ingest POST /events:        ${figure('ingest')}`,
          `  delivery GET /subscriptions: ${figure('delivery')}`,
          `  ApiKeyRevoked on the bus:   ${stats(results.map((r) => r.onBusMs))}`,
        ].join('\n'),
      );
      // Identity reads its own table: the very first request after the suspension is refused.
      expect(results.map((r) => r.identityAtOnce)).toEqual(Array(SAMPLES).fill(401));
    },
    5 * 60_000,
  );
});
