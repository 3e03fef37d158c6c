// notifications against the real local cloud (identity + notifications): people and tenants put on
// the bus as identity publishes them, triggering events put there as activity, billing, delivery
// and identity publish them, every e-mail read back from the local SES mailbox (its /store API).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { bearerRequest, eventually, startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import { listEmails } from '@switchyard/local-cloud/src/emulators/ses';
import { repoRoot } from '@switchyard/local-cloud/src/repo-root';
import { NotificationsCloud, header, sleep } from './support/notifications-cloud';

let cloud: RunningLocalCloud;
let n: NotificationsCloud;

const run = Date.now().toString(36);
const tenantA = `ten_A${run}`;
const tenantB = `ten_B${run}`;
const person = (label: string, tenantId: string, groups: string[]) => ({
  userId: `usr_${label.toUpperCase()}${run}`,
  email: `${label}-${run}@example.com`,
  displayName: `${label[0]?.toUpperCase()}${label.slice(1)}`,
  tenantId,
  groups,
});
const alice = person('alice', tenantA, ['Admins']);
const bob = person('bob', tenantA, ['Viewers']);
const carol = person('carol', tenantA, ['Creators']);
const dave = person('dave', tenantB, ['Admins']);
const erin = person('erin', tenantA, ['Viewers']);
const gina = person('gina', tenantA, ['Viewers']);
const hank = person('hank', tenantA, ['Viewers']);
// SES's mailbox simulator addresses (the local cloud emulates them), labelled per run.
const bouncer = {
  ...person('bouncer', tenantA, ['Viewers']),
  email: `bounce+${run}@simulator.amazonses.com`,
};
const complainer = {
  ...person('complainer', tenantA, ['Viewers']),
  email: `complaint+${run}@simulator.amazonses.com`,
};
const everyone = [alice, bob, carol, dave, erin, gina, hank, bouncer, complainer];

async function givenPerson(p: ReturnType<typeof person>) {
  await n.publish('identity', 'UserCreated', p.tenantId, {
    userId: p.userId,
    email: p.email,
    role: p.groups.includes('Admins') ? 'admin' : 'viewer',
    groups: p.groups,
    status: 'active',
    displayName: p.displayName,
    createdAt: new Date().toISOString(),
  });
}

const messageSent = (tenantId: string, from: ReturnType<typeof person>, to: string[], text: string) => ({
  conversationId: `cnv_${randomUUID()}`,
  messageId: `msg_${randomUUID()}`,
  senderId: from.userId,
  senderDisplayName: from.displayName,
  participantIds: [from.userId, ...to],
  textPreview: text,
  attachmentCount: 0,
  sentAt: new Date().toISOString(),
});

/** Waits until `to` has `count` e-mails carrying `marker`, then a little more, and returns them. */
async function settled(to: string, marker: string, count: number, extraMs = 2_500) {
  await eventually(async () => ((await n.mailTo(to, marker)).length >= count ? true : undefined), {
    what: `${count} e-mail(s) to ${to} with ${marker}`,
    timeoutMs: 45_000,
  });
  await sleep(extraMs);
  return n.mailTo(to, marker);
}

beforeAll(async () => {
  const stateDir = join(repoRoot(), '.switchyard', 'tests', `notifications-${process.pid}-${run}`);
  // Packaging two services on a busy machine can take minutes.
  cloud = await startLocalCloud({ services: ['identity', 'notifications'], stateDir, timeoutMs: 420_000 });
  n = new NotificationsCloud(cloud);
  await n.publish('identity', 'TenantCreated', tenantA, {
    name: 'Acme <Tools>',
    adminUserId: alice.userId,
    createdAt: new Date().toISOString(),
  });
  await n.publish('identity', 'TenantCreated', tenantB, {
    name: 'Globex',
    adminUserId: dave.userId,
    createdAt: new Date().toISOString(),
  });
  for (const p of everyone) await givenPerson(p);
  for (const p of everyone) {
    await eventually(() => n.item(`TENANT#${p.tenantId}`, `USER#${p.userId}`), {
      what: `${p.userId} projected`,
    });
  }
}, 480_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('messages (instant by default)', () => {
  it('mails every participant but the sender once, escaped, with the one-click headers and the tenant as sender', async () => {
    const marker = `m1-${randomUUID()}`;
    await n.publish(
      'activity',
      'MessageSent',
      tenantA,
      messageSent(tenantA, alice, [bob.userId, carol.userId], `<b>${marker}</b>`),
    );
    const [toBob] = await settled(bob.email, marker, 1);
    const [toCarol] = await settled(carol.email, marker, 1, 0);
    expect(toBob).toBeDefined();
    expect(toCarol).toBeDefined();
    expect(await n.mailTo(alice.email, marker)).toHaveLength(0);

    expect(toBob!.from).toContain('Acme');
    expect(toBob!.from).toContain('notifications@switchyard.dev');
    expect(toBob!.subject).toBe('New message from Alice');
    expect(toBob!.body.html).toContain(`&lt;b&gt;${marker}&lt;/b&gt;`);
    expect(toBob!.body.html).not.toContain(`<b>${marker}`);
    expect(toBob!.body.text).toContain(`<b>${marker}</b>`);
    expect(header(toBob!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header(toBob!, 'List-Unsubscribe')).toMatch(/^<http.+\/notifications\/unsubscribe\?token=[^>]+>$/);
  });

  it('sends one e-mail per person when the same event arrives twice', async () => {
    const marker = `dup-${randomUUID()}`;
    const body = messageSent(tenantA, alice, [bob.userId], marker);
    const id = await n.publish('activity', 'MessageSent', tenantA, body);
    await n.publish('activity', 'MessageSent', tenantA, body, id);
    const mails = await settled(bob.email, marker, 1, 4_000);
    expect(mails).toHaveLength(1);
  });
});

describe('one-click unsubscribe (RFC 8058)', () => {
  it('a GET shows a button and changes nothing; a tampered token is 400; the POST stops the category, idempotently', async () => {
    const first = `u1-${randomUUID()}`;
    await n.publish(
      'activity',
      'MessageSent',
      tenantA,
      messageSent(tenantA, alice, [erin.userId, carol.userId], first),
    );
    const [mail] = await settled(erin.email, first, 1, 0);
    const url = /^<(.+)>$/.exec(header(mail!, 'List-Unsubscribe') ?? '')?.[1];
    expect(url).toBeDefined();
    const local = new URL(url!);

    const page = await fetch(local);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(await n.item(`TENANT#${tenantA}`, `PREFS#${erin.userId}`)).toBeUndefined();

    const token = local.searchParams.get('token')!;
    const tampered = new URL(local);
    tampered.searchParams.set('token', `${token.slice(0, -2)}${token.endsWith('A') ? 'BB' : 'AA'}`);
    const post = (target: URL, body = 'List-Unsubscribe=One-Click') =>
      fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
      });
    const bad = await post(tampered);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBeDefined();
    expect((await post(local, 'something=else')).status).toBe(400);

    expect((await post(local)).status).toBe(200);
    expect((await post(local)).status).toBe(200);
    expect((await n.item(`TENANT#${tenantA}`, `PREFS#${erin.userId}`))?.messages).toBe('off');

    const second = `u2-${randomUUID()}`;
    await n.publish(
      'activity',
      'MessageSent',
      tenantA,
      messageSent(tenantA, alice, [erin.userId, carol.userId], second),
    );
    await settled(carol.email, second, 1, 4_000);
    expect(await n.mailTo(erin.email, second)).toHaveLength(0);
  });
});

describe('tenant isolation', () => {
  it("a tenant's billing notices go to its own admins only", async () => {
    const plan = `plan-${run}`;
    await n.publish('billing', 'UsageThresholdReached', tenantB, {
      metric: 'events',
      thresholdPercent: 80,
      used: 8000,
      limit: 10000,
      plan,
      periodStart: new Date().toISOString(),
      reachedAt: new Date().toISOString(),
    });
    const mails = await settled(dave.email, plan, 1, 3_000);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('You have used 80% of your monthly accepted events');
    expect(mails[0]!.from).toContain('Globex');
    expect(header(mails[0]!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header(mails[0]!, 'List-Unsubscribe')).toMatch(
      /^<http.+\/notifications\/unsubscribe\?token=[^>]+>$/,
    );
    expect(await n.mailTo(alice.email, plan)).toHaveLength(0);
  });
});

describe('digests', () => {
  it('sends the first comment at once and gathers the rest into one digest when the window closes', async () => {
    await n.configure('notify', { DIGEST_WINDOW_SECONDS: '3' });
    await n.configure('sweepDigests', { DIGEST_WINDOW_SECONDS: '3' });
    const marker = `d-${randomUUID()}`;
    const comment = (i: number) => ({
      commentId: `cmt_${randomUUID()}`,
      itemId: `doc-${marker}`,
      authorId: alice.userId,
      authorDisplayName: 'Alice',
      textPreview: `comment ${i} ${marker}`,
      earlierCommenterIds: [bob.userId, alice.userId],
      createdAt: new Date(Date.now() + i * 1000).toISOString(),
    });
    await n.publish('activity', 'CommentCreated', tenantA, comment(1));
    await settled(bob.email, marker, 1, 1_000);
    for (const i of [2, 3, 4]) await n.publish('activity', 'CommentCreated', tenantA, comment(i));
    // The sweeper runs every minute on the local cloud as on AWS.
    const mails = await eventually(
      async () => {
        const found = await n.mailTo(bob.email, marker);
        return found.length >= 2 ? found : undefined;
      },
      { what: 'the digest', timeoutMs: 100_000, intervalMs: 1_000 },
    );
    await sleep(2_000);
    expect(await n.mailTo(bob.email, marker)).toHaveLength(2);
    const digest = mails.find((m) => m.subject === `3 new comments on doc-${marker}`);
    expect(digest).toBeDefined();
    expect(header(digest!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header(digest!, 'List-Unsubscribe')).toMatch(
      /^<http.+\/notifications\/unsubscribe\?token=[^>]+>$/,
    );
    const text = digest!.body.text ?? '';
    expect(text.indexOf('comment 4')).toBeGreaterThan(-1);
    expect(text.indexOf('comment 4')).toBeLessThan(text.indexOf('comment 3'));
    expect(text.indexOf('comment 3')).toBeLessThan(text.indexOf('comment 2'));
    expect(text).not.toContain('comment 1 ');
    expect(await n.mailTo(alice.email, marker)).toHaveLength(0);
  }, 150_000);
});

describe('who gets nothing', () => {
  it('suspended and removed people are not mailed; the others are', async () => {
    const state = (p: ReturnType<typeof person>, status: string) => ({
      email: p.email,
      displayName: p.displayName,
      groups: p.groups,
      role: 'viewer',
      status,
    });
    await n.publish('identity', 'UserUpdated', tenantA, {
      userId: gina.userId,
      changedFields: ['status'],
      old: state(gina, 'active'),
      new: state(gina, 'suspended'),
      revision: 2,
      updatedAt: new Date().toISOString(),
    });
    await n.publish('identity', 'UserRemoved', tenantA, {
      userId: hank.userId,
      email: hank.email,
      groups: hank.groups,
      role: 'viewer',
      status: 'active',
      removedAt: new Date().toISOString(),
    });
    await eventually(async () =>
      (await n.item(`TENANT#${tenantA}`, `USER#${gina.userId}`))?.status === 'suspended' &&
      (await n.item(`TENANT#${tenantA}`, `USER#${hank.userId}`))?.status === 'removed'
        ? true
        : undefined,
    );
    const marker = `s-${randomUUID()}`;
    await n.publish(
      'activity',
      'MessageSent',
      tenantA,
      messageSent(tenantA, alice, [gina.userId, hank.userId, carol.userId], marker),
    );
    expect(await settled(carol.email, marker, 1, 4_000)).toHaveLength(1);
    expect(await n.mailTo(gina.email, marker)).toHaveLength(0);
    expect(await n.mailTo(hank.email, marker)).toHaveLength(0);
  });
});

describe('suppression (SES bounces and complaints)', () => {
  it('a permanent bounce and a complaint suppress the address: nothing more, not even transactional mail', async () => {
    const first = `b1-${randomUUID()}`;
    await n.publish(
      'activity',
      'MessageSent',
      tenantA,
      messageSent(tenantA, alice, [bouncer.userId, complainer.userId], first),
    );
    // SES accepts both (the mailbox keeps them), then reports the bounce and the complaint.
    expect(await settled(bouncer.email, first, 1, 0)).toHaveLength(1);
    expect(await settled(complainer.email, first, 1, 0)).toHaveLength(1);
    const bounced = await eventually(() => n.item(`SUPPRESSED#${bouncer.email}`, 'SUPPRESSED'), {
      what: 'the bounce recorded',
      timeoutMs: 30_000,
    });
    expect(bounced).toMatchObject({ reason: 'bounce', detail: 'General' });
    const complained = await eventually(() => n.item(`SUPPRESSED#${complainer.email}`, 'SUPPRESSED'), {
      what: 'the complaint recorded',
      timeoutMs: 30_000,
    });
    expect(complained).toMatchObject({ reason: 'complaint' });

    const second = `b2-${randomUUID()}`;
    await n.publish(
      'activity',
      'MessageSent',
      tenantA,
      messageSent(tenantA, alice, [bouncer.userId, complainer.userId, carol.userId], second),
    );
    await n.publish('identity', 'ConnectionNeedsReauth', tenantA, {
      userId: bouncer.userId,
      provider: `gitlab-${run}`,
      reason: 'token_expired',
      detectedAt: new Date().toISOString(),
    });
    await n.publish('identity', 'ConnectionNeedsReauth', tenantA, {
      userId: carol.userId,
      provider: `gitlab-${run}`,
      reason: 'token_expired',
      detectedAt: new Date().toISOString(),
    });
    await settled(carol.email, second, 1, 0);
    await settled(carol.email, `gitlab-${run}`, 1, 4_000);
    expect(await n.mailTo(bouncer.email, second)).toHaveLength(0);
    expect(await n.mailTo(complainer.email, second)).toHaveLength(0);
    expect(await n.mailTo(bouncer.email, `gitlab-${run}`)).toHaveLength(0);
  });
});

describe('webhooks (admins)', () => {
  it("an endpoint disabled: the tenant's admins, with the one-click headers", async () => {
    const url = `https://hooks.example.com/${run}/${randomUUID()}`;
    await n.publish('delivery', 'EndpointDisabled', tenantA, {
      subscriptionId: `sub_${randomUUID()}`,
      url,
      reason: 'gone',
      disabledAt: new Date().toISOString(),
    });
    const mails = await settled(alice.email, url, 1, 3_000);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('A webhook endpoint was disabled');
    expect(header(mails[0]!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(await n.mailTo(bob.email, url)).toHaveLength(0);
    expect(await n.mailTo(dave.email, url)).toHaveLength(0);
  });
});

async function signIn(email: string): Promise<string> {
  const sentAfter = Math.floor(Date.now() / 1000) - 1;
  const login = await bearerRequest(cloud, undefined, 'POST', '/auth/login', { email });
  expect(login.status).toBe(202);
  const code = await eventually(async () => {
    const mails = (await listEmails(cloud.endpoints.ses, sentAfter)).filter((m) =>
      m.destination.to.includes(email),
    );
    return /\b(\d{6})\b/.exec(mails.at(-1)?.body.text ?? '')?.[1];
  });
  const verify = await bearerRequest<{ idToken: string }>(cloud, undefined, 'POST', '/auth/verify', {
    email,
    code,
  });
  expect(verify.status).toBe(200);
  return verify.body.idToken;
}

/** The local cloud's demo tenant admin, signed in for real, and a viewer of that tenant, both projected. */
let session:
  | Promise<{
      token: string;
      adminEmail: string;
      me: { userId: string; tenantId: string };
      admin: ReturnType<typeof person>;
      other: ReturnType<typeof person>;
    }>
  | undefined;
function adminSession() {
  session ??= (async () => {
    const adminEmail = cloud.adminEmail!;
    const token = await signIn(adminEmail);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      string
    >;
    const me = { userId: claims['cognito:username'] ?? claims.sub!, tenantId: claims['custom:tenantId']! };
    const admin = { ...person('admin', me.tenantId, ['Admins']), userId: me.userId, email: adminEmail };
    const other = person('frank', me.tenantId, ['Viewers']);
    await givenPerson(admin);
    await givenPerson(other);
    await eventually(() => n.item(`TENANT#${me.tenantId}`, `USER#${other.userId}`));
    await eventually(() => n.item(`TENANT#${me.tenantId}`, `USER#${admin.userId}`));
    return { token, adminEmail, me, admin, other };
  })();
  return session;
}

describe('preferences', () => {
  it('a person reads and sets their modes; account cannot be turned off; off is honoured', async () => {
    expect((await bearerRequest(cloud, undefined, 'GET', '/notifications/preferences')).status).toBe(401);
    // The demo tenant's admin API key is valid (once projected), but preferences are a person's own.
    await eventually(
      async () =>
        (await bearerRequest(cloud, cloud.apiKey!, 'GET', '/notifications/preferences')).status === 403
          ? true
          : undefined,
      { what: "the demo admin key projected and refused on a person's preferences" },
    );
    const { token, adminEmail, me, admin, other } = await adminSession();

    const initial = await bearerRequest<{ preferences: Record<string, string> }>(
      cloud,
      token,
      'GET',
      '/notifications/preferences',
    );
    expect(initial.status).toBe(200);
    expect(initial.body.preferences).toEqual({
      comments: 'digest',
      reactions: 'digest',
      webhooks: 'digest',
      messages: 'instant',
      billing: 'instant',
      reminders: 'instant',
      account: 'instant',
    });
    const refused = await bearerRequest(cloud, token, 'PUT', '/notifications/preferences', {
      preferences: { account: 'off' },
    });
    expect(refused.status).toBe(400);
    const invalid = await bearerRequest(cloud, token, 'PUT', '/notifications/preferences', {
      preferences: { messages: 'sometimes' },
    });
    expect(invalid.status).toBe(400);
    const set = await bearerRequest<{ preferences: Record<string, string> }>(
      cloud,
      token,
      'PUT',
      '/notifications/preferences',
      {
        preferences: { messages: 'off', comments: 'instant' },
      },
    );
    expect(set.status).toBe(200);
    expect(set.body.preferences.messages).toBe('off');
    expect(set.body.preferences.comments).toBe('instant');
    expect(set.body.preferences.reactions).toBe('digest');

    const marker = `p-${randomUUID()}`;
    await n.publish(
      'activity',
      'MessageSent',
      me.tenantId,
      messageSent(me.tenantId, other, [admin.userId], marker),
    );
    await n.publish('identity', 'ConnectionNeedsReauth', me.tenantId, {
      userId: admin.userId,
      provider: 'github',
      reason: 'token_expired',
      detectedAt: new Date().toISOString(),
    });
    const account = await settled(adminEmail, 'Sign in to github again', 1, 4_000);
    expect(account).toHaveLength(1);
    expect(header(account[0]!, 'List-Unsubscribe')).toBeUndefined();
    expect(await n.mailTo(adminEmail, marker)).toHaveLength(0);
  });
});

describe('scheduled reminders', () => {
  it('a tenant admin schedules, lists and cancels; a due reminder is mailed once, in its tenant only', async () => {
    const { token, adminEmail, other } = await adminSession();
    expect((await bearerRequest(cloud, undefined, 'GET', '/notifications/reminders')).status).toBe(401);
    const marker = `r-${randomUUID()}`;
    const reminder = (at: Date, to: unknown) => ({
      at: at.toISOString(),
      subject: `Renew the certificate ${marker}`,
      text: 'It expires on Friday.',
      to,
    });
    const post = (body: unknown) =>
      bearerRequest<{ reminderId: string; status: string }>(
        cloud,
        token,
        'POST',
        '/notifications/reminders',
        body,
      );
    expect((await post({ ...reminder(new Date(), 'admins'), extra: true })).status).toBe(400);
    // Someone of another tenant is unknown here.
    const foreign = await post(reminder(new Date(), [bob.userId]));
    expect(foreign.status).toBe(400);
    expect((foreign.body as unknown as { error: { code: string } }).error.code).toBe('unknown_recipients');

    const due = await post(reminder(new Date(Date.now() + 1_000), 'admins'));
    expect(due.status).toBe(201);
    expect(due.body.status).toBe('scheduled');
    const later = await post(reminder(new Date(Date.now() + 3_600_000), [other.userId]));
    expect(later.status).toBe(201);
    // An admin API key of the tenant may set and cancel reminders too.
    const byKey = await bearerRequest<{ reminderId: string; createdBy: string }>(
      cloud,
      cloud.apiKey!,
      'POST',
      '/notifications/reminders',
      reminder(new Date(Date.now() + 3_600_000), 'admins'),
    );
    expect(byKey.status).toBe(201);
    expect(byKey.body.createdBy).toMatch(/^key:/);
    // A creator key of the tenant is no admin: 403 once projected; revoked, it is 401.
    const created = await bearerRequest<{ apiKey: { keyId: string; key: string } }>(
      cloud,
      cloud.apiKey!,
      'POST',
      '/keys',
      { role: 'creator', description: 'reminders test' },
    );
    expect(created.status).toBe(201);
    const creator = created.body.apiKey;
    const byCreator = () =>
      bearerRequest(cloud, creator.key, 'POST', '/notifications/reminders', reminder(new Date(), 'admins'));
    await eventually(async () => ((await byCreator()).status === 403 ? true : undefined), {
      what: 'the creator key projected and refused',
    });
    expect(
      (await bearerRequest(cloud, cloud.apiKey!, 'DELETE', `/keys/${creator.keyId}`)).status,
    ).toBeLessThan(300);
    await eventually(async () => ((await byCreator()).status === 401 ? true : undefined), {
      what: 'the revoked key projected and refused',
    });
    expect(
      (
        await bearerRequest(
          cloud,
          cloud.apiKey!,
          'DELETE',
          `/notifications/reminders/${byKey.body.reminderId}`,
        )
      ).status,
    ).toBe(204);
    const del = () =>
      bearerRequest(cloud, token, 'DELETE', `/notifications/reminders/${later.body.reminderId}`);
    expect((await del()).status).toBe(204);
    expect((await del()).status).toBe(204);
    expect(
      (await bearerRequest(cloud, token, 'DELETE', '/notifications/reminders/rem_unknown0')).status,
    ).toBe(404);

    // The sweeper runs every minute, on the local cloud as on AWS.
    const mails = await eventually(
      async () => {
        const found = await n.mailTo(adminEmail, marker);
        return found.length > 0 ? found : undefined;
      },
      { what: 'the reminder', timeoutMs: 100_000, intervalMs: 1_000 },
    );
    await sleep(3_000);
    expect(await n.mailTo(adminEmail, marker)).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Renew the certificate ${marker}`);
    expect(mails[0]!.body.text).toContain('It expires on Friday.');
    expect(header(mails[0]!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(await n.mailTo(other.email, marker)).toHaveLength(0);
    expect(await n.mailTo(alice.email, marker)).toHaveLength(0);

    const list = await bearerRequest<{ reminders: { reminderId: string; status: string }[] }>(
      cloud,
      token,
      'GET',
      '/notifications/reminders',
    );
    expect(list.status).toBe(200);
    const status = Object.fromEntries(list.body.reminders.map((r) => [r.reminderId, r.status]));
    expect(status[due.body.reminderId]).toBe('sent');
    expect(status[later.body.reminderId]).toBe('cancelled');
  }, 150_000);
});
