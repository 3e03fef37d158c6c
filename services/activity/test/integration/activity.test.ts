// activity on the real local cloud (identity + activity): tenants made by the operator API, people
// invited through identity's API and signed in through the real e-mail code flow, identity's people
// events projected into activity over the real bus, the table's stream feeding the counters and the
// outbox, and the bus watched from outside. Every request goes through the public HTTP routes with
// a person's token.
import { performance } from 'node:perf_hooks';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { eventually, startLocalCloud, tapBus } from '@switchyard/local-cloud';
import type { BusTap } from '@switchyard/local-cloud';
import type { Someone, Tenant } from './support/activity-cloud';
import { ActivityCloud, onBus, uniqueLabel } from './support/activity-cloud';
import { startFaultyDynamoDb } from './support/faulty-dynamodb';

const RUN = uniqueLabel();
let env: ActivityCloud;
let tap: BusTap;
let acme: Tenant;
let globex: Tenant;
/** acme's admin (Admins), and two people of acme who are not admins. */
let alice: Someone;
let bob: Someone;
let erin: Someone;
/** globex's admin: another tenant. */
let carol: Someone;

interface CommentView {
  commentId: string;
  itemId: string;
  authorId: string;
  authorDisplayName?: string;
  text?: string;
  deleted?: boolean;
  editHistory?: { text: string; replacedAt: string }[];
  createdAt: string;
}
interface ErrorBody {
  error: {
    code: string;
    message: string;
    correlationId: string;
    details?: { path: string; message: string }[];
  };
}
type Listing = { comments: CommentView[]; nextCursor?: string };

const commentsOf = (itemId: string) => `/comments/${encodeURIComponent(itemId)}`;
const commentAt = (itemId: string, commentId: string) => `${commentsOf(itemId)}/${commentId}`;
const statsOf = (itemId: string) => `/items/${encodeURIComponent(itemId)}/stats`;

async function post(who: Someone, itemId: string, text: string): Promise<CommentView> {
  const answer = await env.api<CommentView>(who, 'POST', commentsOf(itemId), { text });
  expect(answer.status).toBe(201);
  return answer.body;
}

const commentCount = async (who: Someone, itemId: string) =>
  (await env.api<{ commentCount: number }>(who, 'GET', statsOf(itemId))).body.commentCount;

/** Waits for the item's commentCount to be `expected` (the aggregator follows the stream). */
const untilCommentCount = (who: Someone, itemId: string, expected: number) =>
  eventually(async () => ((await commentCount(who, itemId)) === expected ? true : undefined), {
    what: `commentCount ${expected} on ${itemId}`,
  });

beforeAll(async () => {
  env = new ActivityCloud(await startLocalCloud({ services: ['identity', 'activity'] }));
  tap = await tapBus(env.cloud, 'switchyard.activity');
  [acme, globex] = await Promise.all([env.tenant('acme'), env.tenant('globex')]);
  alice = acme.admin;
  carol = globex.admin;
  [bob, erin] = await Promise.all([env.invite(acme, 'bob', 'Bob'), env.invite(acme, 'erin', 'Erin')]);
  // Bob's name reaches activity as identity's UserCreated, through the bus and activity's projection:
  // wait for it, so the comments below carry it.
  await eventually(
    async () => {
      const probe = `probe-${RUN}`;
      const posted = await env.api<CommentView>(bob, 'POST', commentsOf(probe), { text: 'probe' });
      await env.api(bob, 'DELETE', commentAt(probe, posted.body.commentId));
      return posted.body.authorDisplayName === 'Bob' ? true : undefined;
    },
    { what: "Bob's name in activity's projection", intervalMs: 1000 },
  );
}, 300_000);

afterAll(async () => {
  tap?.close();
  env?.close();
  await env?.cloud.stop();
});

describe('who may call', () => {
  // The HTTP API's JWT authorizer answers before any function runs, as API Gateway does.
  it('refuses a missing or forged token with 401', async () => {
    const none = await env.api(undefined, 'GET', commentsOf(`x-${RUN}`));
    expect(none.status).toBe(401);
    const forged = await env.api(
      { token: `${alice.token.slice(0, -4)}AAAA` },
      'POST',
      commentsOf(`x-${RUN}`),
      { text: 'x' },
    );
    expect(forged.status).toBe(401);
  });
});

describe('comments', () => {
  // Any string up to 512 characters, slashes and query-like characters included.
  const item = `letters/2026/${RUN}?page=1&x=ü`;

  it('posts sanitized comments and lists them oldest first with tamper-evident cursors', async () => {
    const first = await post(
      alice,
      item,
      '<b>Hello</b> <script>alert(1)</script>Tom &amp; Jerry &lt;3 <a href="x">link</a>',
    );
    expect(first).toMatchObject({ itemId: item, authorId: alice.userId, text: 'Hello Tom & Jerry <3 link' });
    const second = await post(bob, item, 'Second');
    expect(second.authorDisplayName).toBe('Bob');
    const third = await post(erin, item, 'Third');

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await env.api<Listing>(bob, 'GET', `${commentsOf(item)}${query}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.comments.map((c) => c.commentId));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 5);
    expect(seen).toEqual([first.commentId, second.commentId, third.commentId]);
    expect(pages).toBe(2);

    const page1 = await env.api<Listing>(alice, 'GET', `${commentsOf(item)}?limit=1`);
    const valid = page1.body.nextCursor ?? '';
    const tampered = `${valid.slice(0, -3)}${valid.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const bad = await env.api<ErrorBody>(
      alice,
      'GET',
      `${commentsOf(item)}?cursor=${encodeURIComponent(tampered)}`,
    );
    expect(bad.status).toBe(400);
    // A cursor of one item does not open another item's list.
    const elsewhere = await env.api<ErrorBody>(
      alice,
      'GET',
      `${commentsOf(`${item}-other`)}?cursor=${encodeURIComponent(valid)}`,
    );
    expect(elsewhere.status).toBe(400);
    // Nor another tenant's.
    const otherTenant = await env.api<ErrorBody>(
      carol,
      'GET',
      `${commentsOf(item)}?cursor=${encodeURIComponent(valid)}`,
    );
    expect(otherTenant.status).toBe(400);
  });

  it('refuses text empty after sanitizing or over 2,000 characters with 400 and field details, echoing nothing', async () => {
    for (const text of ['<p><img src=x onerror=alert(1)></p>', '   ', `<i>${'y'.repeat(2001)}</i>`]) {
      const refused = await env.api<ErrorBody>(alice, 'POST', commentsOf(`bad-${RUN}`), { text });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details?.map((d) => d.path)).toEqual(['text']);
      expect(JSON.stringify(refused.body)).not.toContain('onerror');
    }
    const missing = await env.api<ErrorBody>(alice, 'POST', commentsOf(`bad-${RUN}`), {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.details?.[0]?.path).toBe('text');
    // Exactly 2,000 characters once the tags are gone is accepted.
    await post(alice, `bad-${RUN}`, `<b>${'z'.repeat(2000)}</b>`);
    const tooLongItem = await env.api<ErrorBody>(alice, 'POST', commentsOf('i'.repeat(513)), { text: 'x' });
    expect(tooLongItem.status).toBe(400);
  });

  it('lets only the author edit and keeps the last five versions, shown to the author and admins only', async () => {
    const thread = `edits-${RUN}`;
    const posted = await post(bob, thread, 'v0');
    const path = commentAt(thread, posted.commentId);
    const notMine = await env.api<ErrorBody>(alice, 'PUT', path, { text: 'not mine' });
    expect(notMine.status).toBe(403);
    expect((await env.api(erin, 'PUT', path, { text: 'not mine' })).status).toBe(403);
    for (let v = 1; v <= 6; v += 1) {
      const edited = await env.api<CommentView>(bob, 'PUT', path, { text: `<em>v${v}</em>` });
      expect(edited.status).toBe(200);
      expect(edited.body.text).toBe(`v${v}`);
    }
    const asBob = await env.api<Listing>(bob, 'GET', commentsOf(thread));
    expect(asBob.body.comments[0]?.text).toBe('v6');
    expect(asBob.body.comments[0]?.editHistory?.map((h) => h.text)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    const asAdmin = await env.api<Listing>(alice, 'GET', commentsOf(thread));
    expect(asAdmin.body.comments[0]?.editHistory).toHaveLength(5);
    const asErin = await env.api<Listing>(erin, 'GET', commentsOf(thread));
    expect(asErin.body.comments[0]?.text).toBe('v6');
    expect(asErin.body.comments[0]).not.toHaveProperty('editHistory');
    const edited = await onBus(
      tap,
      'CommentEdited',
      (d) => d.commentId === posted.commentId && d.textPreview === 'v6',
    );
    expect(edited).toMatchObject({ itemId: thread, authorId: bob.userId, tenantId: acme.tenantId });
  });

  it('soft-deletes (the author; an admin for anyone), leaves tombstones and lowers commentCount', async () => {
    const thread = `deletes-${RUN}`;
    const a = await post(bob, thread, 'by bob 1');
    const b = await post(bob, thread, 'by bob 2');
    await post(alice, thread, 'by alice');
    await untilCommentCount(alice, thread, 3);

    expect((await env.api(alice, 'DELETE', commentAt(thread, a.commentId))).status).toBe(403);
    expect(
      (await env.api(erin, 'DELETE', `/admin/comments/${encodeURIComponent(thread)}/${a.commentId}`)).status,
    ).toBe(403);
    expect((await env.api(bob, 'DELETE', commentAt(thread, a.commentId))).status).toBe(204);
    expect(
      (await env.api(alice, 'DELETE', `/admin/comments/${encodeURIComponent(thread)}/${b.commentId}`)).status,
    ).toBe(204);
    // A tombstone cannot be edited, and deleting it again changes nothing.
    expect((await env.api(bob, 'PUT', commentAt(thread, a.commentId), { text: 'back' })).status).toBe(404);
    expect((await env.api(bob, 'DELETE', commentAt(thread, a.commentId))).status).toBe(204);

    const listed = await env.api<Listing>(erin, 'GET', commentsOf(thread));
    expect(listed.body.comments.map((c) => [c.deleted ?? false, c.text])).toEqual([
      [true, undefined],
      [true, undefined],
      [false, 'by alice'],
    ]);
    await untilCommentCount(alice, thread, 1);
    const deleted = await onBus(tap, 'CommentDeleted', (d) => d.commentId === b.commentId);
    expect(deleted).toMatchObject({ byAdmin: true, deletedBy: alice.userId, authorId: bob.userId });
  });

  it('publishes CommentCreated with what a notification needs (earlier commenters), never table items', async () => {
    const thread = `notify-${RUN}`;
    await post(alice, thread, 'first');
    await post(erin, thread, 'second');
    const third = await post(bob, thread, 'third <b>bold</b>');
    const created = await onBus(tap, 'CommentCreated', (d) => d.commentId === third.commentId);
    expect(created).toMatchObject({
      tenantId: acme.tenantId,
      itemId: thread,
      authorId: bob.userId,
      authorDisplayName: 'Bob',
      textPreview: 'third bold',
    });
    expect([...(created.earlierCommenterIds as string[])].sort()).toEqual([alice.userId, erin.userId].sort());
    for (const raw of ['pk', 'sk', 'itemPk', 'revision', 'expiresAtEpoch'])
      expect(created).not.toHaveProperty(raw);
  });

  it('limits comments per person across instances: past 10 a minute, 429 with Retry-After', async () => {
    // A person of its own, so no other test shares the window.
    const flooder = await env.invite(globex, 'flood', 'Flood');
    // Start at the top of a minute's window, so all eleven fall in one window.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    const answers = await Promise.all(
      Array.from({ length: 11 }, (_, i) =>
        env.api<ErrorBody>(flooder, 'POST', commentsOf(`flood-${RUN}`), { text: `n${i}` }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    const limited = answers.find((a) => a.status === 429)!;
    expect(limited.body.error.code).toEqual(expect.any(String));
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Someone else is not limited by it.
    await post(carol, `flood-${RUN}`, 'not limited');
  });

  it("a display name change reaches the author's existing comments (measured)", async () => {
    const thread = `names-${RUN}`;
    const older = await post(erin, thread, 'before the rename');
    await post(erin, `${thread}-2`, 'another item');
    expect(older.authorDisplayName).toBe('Erin');
    const newName = `Erin ${RUN}`;
    const started = performance.now();
    const renamed = await env.api(erin, 'PUT', '/profile', { displayName: newName });
    expect(renamed.status).toBe(200);
    await eventually(
      async () => {
        const lists = await Promise.all(
          [thread, `${thread}-2`].map((t) => env.api<Listing>(alice, 'GET', commentsOf(t))),
        );
        return lists.every((l) => l.body.comments[0]?.authorDisplayName === newName) ? true : undefined;
      },
      { what: 'the new name on the existing comments', intervalMs: 50 },
    );
    const elapsedMs = Math.round(performance.now() - started);
    console.log(`activity: a profile name change reached the author's existing comments in ${elapsedMs} ms`);
    expect(elapsedMs).toBeLessThan(30_000);
    expect((await post(erin, thread, 'after the rename')).authorDisplayName).toBe(newName);
  });
});

describe('reactions', () => {
  it('toggles (default like), answers {reacted, counts}, lists who reacted, refuses unknown types', async () => {
    const posted = await post(alice, `react-${RUN}`, 'react to me');
    const at = `/reactions/${posted.commentId}`;
    const added = await env.api<{ reacted: boolean; counts: Record<string, number> }>(bob, 'POST', at);
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ reacted: true, counts: { like: 1 } });
    const love = await env.api(erin, 'POST', at, { type: 'love' });
    expect(love.body).toEqual({ reacted: true, counts: { like: 1, love: 1 } });
    const angry = await env.api<ErrorBody>(alice, 'POST', at, { type: 'angry' });
    expect(angry.status).toBe(400);
    expect(angry.body.error.details?.[0]?.path).toBe('type');
    const removed = await env.api(bob, 'POST', at, { type: 'like' });
    expect(removed.body).toEqual({ reacted: false, counts: { love: 1 } });
    const who = await env.api<{
      reactions: { userId: string; type: string }[];
      counts: Record<string, number>;
    }>(bob, 'GET', at);
    expect(who.body.reactions.map((r) => [r.userId, r.type])).toEqual([[erin.userId, 'love']]);
    expect(who.body.counts).toEqual({ love: 1 });
    const addedEvent = await onBus(
      tap,
      'ReactionAdded',
      (d) => d.commentId === posted.commentId && d.reactorId === bob.userId,
    );
    expect(addedEvent).toMatchObject({ commentAuthorId: alice.userId, type: 'like', itemId: `react-${RUN}` });
    await onBus(
      tap,
      'ReactionRemoved',
      (d) => d.commentId === posted.commentId && d.reactorId === bob.userId,
    );
    // A tombstone takes no reactions.
    await env.api(alice, 'DELETE', commentAt(`react-${RUN}`, posted.commentId));
    expect((await env.api(bob, 'POST', at)).status).toBe(404);
  });

  it('20 concurrent toggles by one person leave a consistent state; reactionCount equals the rows', async () => {
    const thread = `race-${RUN}`;
    const posted = await post(alice, thread, 'race');
    const at = `/reactions/${posted.commentId}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => env.api<{ reacted: boolean }>(bob, 'POST', at)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    // Each toggle flips the state once: 10 adds and 10 removes, in whatever order.
    expect(answers.filter((a) => a.body.reacted)).toHaveLength(10);
    const listed = await env.api<{ reactions: unknown[]; reactionCount: number }>(bob, 'GET', at);
    expect(listed.body.reactions).toHaveLength(0);
    await env.api(bob, 'POST', at);
    await env.api(erin, 'POST', at, { type: 'wow' });
    // The aggregator's count, from the stream, settles on the number of rows.
    const settled = await eventually(
      async () => {
        const now = await env.api<{ reactions: unknown[]; reactionCount: number }>(bob, 'GET', at);
        return now.body.reactionCount === 2 ? now.body : undefined;
      },
      { what: 'reactionCount 2 after 22 toggles' },
    );
    expect(settled.reactions).toHaveLength(2);
  });
});

describe('counters from the stream', () => {
  it('keeps commentCount per item and lastActiveAt per person; GET /items/{itemId}/stats answers it', async () => {
    const thread = `stats/${RUN}`;
    expect(await commentCount(bob, thread)).toBe(0);
    const posted = await Promise.all([
      post(bob, thread, 'one'),
      post(erin, thread, 'two'),
      post(alice, thread, 'three'),
    ]);
    await untilCommentCount(bob, thread, 3);
    const stats = await env.api(bob, 'GET', statsOf(thread));
    expect(stats.body).toEqual({ itemId: thread, commentCount: 3 });
    // Edits do not count again.
    await env.api(bob, 'PUT', commentAt(thread, posted[0].commentId), { text: 'one, edited' });
    await onBus(tap, 'CommentEdited', (d) => d.commentId === posted[0].commentId);
    expect(await commentCount(bob, thread)).toBe(3);
    // lastActiveAt per person: no route shows it yet, so it is read from activity's table.
    const person = await env.doc.send(
      new GetCommand({
        TableName: env.table,
        Key: { pk: `T#${acme.tenantId}#USER#${erin.userId}`, sk: 'PERSON' },
        ConsistentRead: true,
      }),
    );
    expect(String(person.Item?.lastActiveAt) >= posted[1].createdAt).toBe(true);
  });

  it('counts every comment exactly once when a stream batch fails midway and is retried', async () => {
    // The aggregator's DynamoDB calls go through a server of this test's that fails the way
    // DynamoDB can: one transaction written but answered 500, then four refused. The SDK retries,
    // gives up, the record is reported failed, the stream poller hands it over again.
    const faulty = await startFaultyDynamoDb(env.cloud.endpoints.dynamodb);
    const writers = await Promise.all([env.invite(acme, 'dave', 'Dave'), env.invite(acme, 'fran', 'Fran')]);
    try {
      faulty.arm({ pass: Number.MAX_SAFE_INTEGER, commitThenFail: 0, refuse: 0 });
      await env.configure('aggregateCounters', { AWS_ENDPOINT_URL_DYNAMODB: faulty.url });
      const warmup = `retry-warmup-${RUN}`;
      await post(writers[0], warmup, 'through the proxy');
      await untilCommentCount(alice, warmup, 1);
      expect(faulty.counts().transactions).toBeGreaterThan(0);

      const thread = `retry-${RUN}`;
      faulty.arm({ pass: 2, commitThenFail: 1, refuse: 4 });
      await Promise.all(Array.from({ length: 6 }, (_, i) => post(writers[i % 2]!, thread, `comment ${i}`)));
      await untilCommentCount(alice, thread, 6);
      // Every planned fault happened (so the batch did fail midway and was retried) ...
      await eventually(async () => (faulty.counts().faults === 5 ? true : undefined), {
        what: 'all five faults used',
      });
      // ... and later retries or redeliveries add nothing.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(await commentCount(alice, thread)).toBe(6);
      console.log(
        `activity: aggregator under faults: ${JSON.stringify(faulty.counts())} transactions/faults, commentCount 6 of 6`,
      );
    } finally {
      await env.configure('aggregateCounters', { AWS_ENDPOINT_URL_DYNAMODB: env.cloud.endpoints.dynamodb });
      await faulty.close();
    }
  });
});

describe("identity's profiles", () => {
  it('show commentCount and lastActiveAt from activity (PersonActivityChanged), soft deletes included', async () => {
    const gus = await env.invite(acme, 'gus', 'Gus');
    const thread = `profile-${RUN}`;
    const first = await post(gus, thread, 'one');
    const second = await post(gus, `${thread}-b`, 'two');
    expect((await env.api(gus, 'DELETE', commentAt(thread, first.commentId))).status).toBe(204);
    const started = performance.now();
    const profile = await eventually(
      async () => {
        const seen = await env.api<{ commentCount?: number; lastActiveAt?: string }>(
          alice,
          'GET',
          `/profile/${gus.userId}`,
        );
        return seen.body.commentCount === 1 && (seen.body.lastActiveAt ?? '') >= second.createdAt
          ? seen.body
          : undefined;
      },
      { what: "gus's profile showing 1 comment", intervalMs: 100 },
    );
    console.log(
      `activity: identity's profile showed the totals ${Math.round(performance.now() - started)} ms after the delete`,
    );
    expect(profile.lastActiveAt).toBe(second.createdAt);
    await onBus(tap, 'PersonActivityChanged', (d) => d.userId === gus.userId && d.commentCount === 1);
    // Another tenant still cannot see the profile at all.
    expect((await env.api(carol, 'GET', `/profile/${gus.userId}`)).status).toBe(404);
  });
});

describe('tenant isolation', () => {
  it("another tenant's comment ids are 404 on every route, its lists and stats empty", async () => {
    const thread = `private-${RUN}`;
    const posted = await post(alice, thread, 'acme only');
    await env.api(bob, 'POST', `/reactions/${posted.commentId}`);
    await untilCommentCount(alice, thread, 1);
    const path = commentAt(thread, posted.commentId);
    const answers = {
      list: await env.api<Listing>(carol, 'GET', commentsOf(thread)),
      edit: await env.api<ErrorBody>(carol, 'PUT', path, { text: 'x' }),
      delete: await env.api<ErrorBody>(carol, 'DELETE', path),
      adminDelete: await env.api<ErrorBody>(
        carol,
        'DELETE',
        `/admin/comments/${encodeURIComponent(thread)}/${posted.commentId}`,
      ),
      react: await env.api<ErrorBody>(carol, 'POST', `/reactions/${posted.commentId}`),
      reactions: await env.api<ErrorBody>(carol, 'GET', `/reactions/${posted.commentId}`),
      stats: await env.api<{ commentCount: number }>(carol, 'GET', statsOf(thread)),
    };
    expect(answers.list.body.comments).toEqual([]);
    expect(answers.stats.body.commentCount).toBe(0);
    for (const name of ['edit', 'delete', 'adminDelete', 'react', 'reactions'] as const) {
      expect([name, answers[name].status]).toEqual([name, 404]);
      expect(answers[name].body.error.correlationId).toEqual(expect.any(String));
    }
    // And nothing of it changed for acme.
    const mine = await env.api<Listing>(alice, 'GET', commentsOf(thread));
    expect(mine.body.comments.map((c) => [c.text, c.deleted ?? false])).toEqual([['acme only', false]]);
    expect(
      (await env.api<{ counts: Record<string, number> }>(alice, 'GET', `/reactions/${posted.commentId}`)).body
        .counts,
    ).toEqual({ like: 1 });
    // The path names the item too: the right id under another item is 404 as well.
    expect(
      (await env.api(alice, 'PUT', commentAt(`${thread}-elsewhere`, posted.commentId), { text: 'x' })).status,
    ).toBe(404);
  });
});
