// Conversations and attachments on the real local cloud (identity + activity), through the public
// routes with people's tokens: direct and group conversations, unread counts, paging, participants
// only, tenant isolation, and an attachment uploaded with the presigned POST (S3 checks its policy)
// and downloaded back byte for byte.
import { randomBytes } from 'node:crypto';
import { eventually, startLocalCloud, tapBus } from '@switchyard/local-cloud';
import type { BusTap } from '@switchyard/local-cloud';
import type { Someone, Tenant } from './support/activity-cloud';
import { ActivityCloud, onBus } from './support/activity-cloud';

let env: ActivityCloud;
let tap: BusTap;
let acme: Tenant;
let globex: Tenant;
let alice: Someone;
let bob: Someone;
let erin: Someone;
let carol: Someone;

interface ConversationView {
  conversationId: string;
  kind: 'direct' | 'group';
  participantIds: string[];
  unread?: number;
  lastActivityAt?: string;
}
interface AttachmentView {
  key: string;
  filename: string;
  contentType: string;
  size: number;
  downloadUrl: string;
}
interface MessageView {
  messageId: string;
  senderId: string;
  senderDisplayName?: string;
  text: string;
  attachments: AttachmentView[];
  sentAt: string;
}
interface ErrorBody {
  error: { code: string; correlationId: string; details?: { path: string; message: string }[] };
}
interface UploadAnswer {
  key: string;
  upload: { url: string; fields: Record<string, string> };
  expiresAt: string;
}

const inboxOf = async (who: Someone) =>
  (
    await env.api<{ conversations: ConversationView[]; nextCursor?: string }>(
      who,
      'GET',
      '/messages/conversations',
    )
  ).body.conversations;

async function send(who: Someone, conversationId: string, body: Record<string, unknown>) {
  const sent = await env.api<MessageView>(who, 'POST', `/messages/conversations/${conversationId}`, body);
  expect(sent.status).toBe(201);
  return sent.body;
}

/** Uploads `bytes` with the presigned POST as a browser would (multipart form, file last). */
async function upload(form: UploadAnswer['upload'], bytes: Buffer, contentType: string) {
  const data = new FormData();
  for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
  data.append('file', new Blob([bytes], { type: contentType }), 'file');
  return fetch(form.url, { method: 'POST', body: data });
}

beforeAll(async () => {
  env = new ActivityCloud(await startLocalCloud({ services: ['identity', 'activity'] }));
  tap = await tapBus(env.cloud, 'switchyard.activity');
  [acme, globex] = await Promise.all([env.tenant('acme'), env.tenant('globex')]);
  alice = acme.admin;
  carol = globex.admin;
  [bob, erin] = await Promise.all([env.invite(acme, 'bob', 'Bob'), env.invite(acme, 'erin', 'Erin')]);
  // Participants must be people of the tenant, as activity's projection of identity knows them.
  await eventually(
    async () => {
      const probe = await env.api(alice, 'POST', '/messages/conversations', {
        participantIds: [bob.userId, erin.userId],
      });
      return probe.status === 201 ? true : undefined;
    },
    { what: "acme's people in activity's projection", intervalMs: 500 },
  );
}, 300_000);

afterAll(async () => {
  tap?.close();
  env?.close();
  await env?.cloud.stop();
});

describe('conversations', () => {
  it('a direct conversation has one id from both sides; the caller is always a participant', async () => {
    const first = await env.api<ConversationView>(alice, 'POST', '/messages/conversations', {
      participantIds: [bob.userId],
    });
    expect(first.status).toBe(201);
    expect(first.body.kind).toBe('direct');
    expect([...first.body.participantIds].sort()).toEqual([alice.userId, bob.userId].sort());
    const again = await env.api<ConversationView>(bob, 'POST', '/messages/conversations', {
      participantIds: [alice.userId, bob.userId],
    });
    expect(again.status).toBe(200);
    expect(again.body.conversationId).toBe(first.body.conversationId);
    const created = await onBus(
      tap,
      'ConversationCreated',
      (d) => d.conversationId === first.body.conversationId,
    );
    expect(created).toMatchObject({ kind: 'direct', createdBy: alice.userId, tenantId: acme.tenantId });
  });

  it('a group gets a new id each time; participants must be people of the tenant', async () => {
    const a = await env.api<ConversationView>(alice, 'POST', '/messages/conversations', {
      participantIds: [bob.userId, erin.userId],
    });
    const b = await env.api<ConversationView>(alice, 'POST', '/messages/conversations', {
      participantIds: [bob.userId, erin.userId],
    });
    expect([a.status, b.status, a.body.kind]).toEqual([201, 201, 'group']);
    expect(a.body.conversationId).not.toBe(b.body.conversationId);
    const stranger = await env.api<ErrorBody>(alice, 'POST', '/messages/conversations', {
      participantIds: [carol.userId],
    });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.details?.[0]?.path).toBe('participantIds');
    expect(JSON.stringify(stranger.body)).not.toContain(carol.userId);
    const alone = await env.api<ErrorBody>(alice, 'POST', '/messages/conversations', {
      participantIds: [alice.userId],
    });
    expect(alone.status).toBe(400);
  });

  it('messages newest first with cursors; unread up for all but the sender, 0 on read; inbox newest activity first', async () => {
    const group = (
      await env.api<ConversationView & { message: MessageView }>(erin, 'POST', '/messages/conversations', {
        participantIds: [alice.userId, bob.userId],
        text: 'hello <b>all</b>',
      })
    ).body;
    expect(group.message).toMatchObject({
      senderId: erin.userId,
      senderDisplayName: 'Erin',
      text: 'hello all',
    });
    await send(bob, group.conversationId, { text: 'hi erin' });
    await send(erin, group.conversationId, { text: 'third' });
    const sent = await onBus(
      tap,
      'MessageSent',
      (d) => d.conversationId === group.conversationId && d.textPreview === 'third',
    );
    expect([...(sent.participantIds as string[])].sort()).toEqual(
      [alice.userId, bob.userId, erin.userId].sort(),
    );
    expect(sent).toMatchObject({ senderId: erin.userId, attachmentCount: 0 });

    const unread = async (who: Someone) =>
      (await inboxOf(who)).find((c) => c.conversationId === group.conversationId)?.unread;
    expect(await unread(alice)).toBe(3);
    expect(await unread(bob)).toBe(2);
    expect(await unread(erin)).toBe(1);

    const page1 = await env.api<{
      messages: MessageView[];
      nextCursor?: string;
      conversation: ConversationView;
    }>(alice, 'GET', `/messages/conversations/${group.conversationId}?limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.conversation.unread).toBe(3);
    expect(page1.body.messages.map((m) => m.text)).toEqual(['third', 'hi erin']);
    const page2 = await env.api<{ messages: MessageView[]; nextCursor?: string }>(
      alice,
      'GET',
      `/messages/conversations/${group.conversationId}?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor ?? '')}`,
    );
    expect(page2.body.messages.map((m) => m.text)).toEqual(['hello all']);
    // Another participant cannot replay alice's cursor.
    const replayed = await env.api(
      bob,
      'GET',
      `/messages/conversations/${group.conversationId}?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor ?? '')}`,
    );
    expect(replayed.status).toBe(400);

    const read = await env.api(alice, 'PUT', `/messages/conversations/${group.conversationId}/read`);
    expect(read.status).toBe(200);
    expect(await unread(alice)).toBe(0);
    expect(await unread(bob)).toBe(2);

    // The conversation with the newest message comes first in everyone's list.
    const direct = (
      await env.api<ConversationView>(bob, 'POST', '/messages/conversations', {
        participantIds: [alice.userId],
      })
    ).body;
    await send(bob, direct.conversationId, { text: 'newest' });
    const inbox = await inboxOf(alice);
    expect(inbox[0]?.conversationId).toBe(direct.conversationId);
    const times = inbox.map((c) => c.lastActivityAt ?? '');
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('non-participants and other tenants get 404 on every conversation route', async () => {
    const direct = (
      await env.api<ConversationView>(alice, 'POST', '/messages/conversations', {
        participantIds: [bob.userId],
      })
    ).body;
    const at = `/messages/conversations/${direct.conversationId}`;
    for (const who of [erin, carol]) {
      expect((await env.api(who, 'GET', at)).status).toBe(404);
      expect((await env.api(who, 'POST', at, { text: 'let me in' })).status).toBe(404);
      expect((await env.api(who, 'PUT', `${at}/read`)).status).toBe(404);
      expect((await inboxOf(who)).some((c) => c.conversationId === direct.conversationId)).toBe(false);
    }
    const unknown = await env.api<ErrorBody>(alice, 'GET', '/messages/conversations/dm_nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.correlationId).toEqual(expect.any(String));
  });
});

describe('attachments', () => {
  it('uploads with the presigned POST, sends, downloads back byte for byte', async () => {
    const bytes = randomBytes(50_000);
    const asked = await env.api<UploadAnswer>(bob, 'POST', '/messages/upload', {
      filename: 'report ü.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
    });
    expect(asked.status).toBe(201);
    const expiresIn = Date.parse(asked.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(14 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(15 * 60_000);
    const uploaded = await upload(asked.body.upload, bytes, 'application/pdf');
    expect(uploaded.status).toBeLessThan(300);

    const direct = (
      await env.api<ConversationView>(bob, 'POST', '/messages/conversations', {
        participantIds: [alice.userId],
      })
    ).body;
    // Another person cannot send bob's upload.
    const stolen = await env.api<ErrorBody>(
      alice,
      'POST',
      `/messages/conversations/${direct.conversationId}`,
      {
        text: 'mine now',
        attachments: [{ key: asked.body.key }],
      },
    );
    expect(stolen.status).toBe(400);
    const message = await send(bob, direct.conversationId, {
      text: 'the report',
      attachments: [{ key: asked.body.key }],
    });
    expect(message.attachments).toEqual([
      expect.objectContaining({
        key: asked.body.key,
        filename: 'report ü.pdf',
        contentType: 'application/pdf',
        size: bytes.length,
      }),
    ]);
    const read = await env.api<{ messages: MessageView[] }>(
      alice,
      'GET',
      `/messages/conversations/${direct.conversationId}?limit=1`,
    );
    const attachment = read.body.messages[0]?.attachments[0];
    const downloaded = await fetch(attachment?.downloadUrl ?? '');
    expect(downloaded.status).toBe(200);
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(bytes)).toBe(true);
    // Each upload is sent once.
    const twice = await env.api(bob, 'POST', `/messages/conversations/${direct.conversationId}`, {
      attachments: [{ key: asked.body.key }],
    });
    expect(twice.status).toBe(400);
  });

  it('the presigned POST itself refuses another size or content type; over 10 MB is refused up front', async () => {
    const asked = await env.api<UploadAnswer>(bob, 'POST', '/messages/upload', {
      filename: 'small.png',
      contentType: 'image/png',
      size: 100,
    });
    // S3 answers 400 EntityTooLarge past the policy's size, 403 for a field the policy does not allow.
    expect((await upload(asked.body.upload, randomBytes(5000), 'image/png')).status).toBe(400);
    const wrongType = {
      ...asked.body.upload,
      fields: { ...asked.body.upload.fields, 'Content-Type': 'text/html' },
    };
    expect((await upload(wrongType, randomBytes(100), 'text/html')).status).toBe(403);
    const big = await env.api<ErrorBody>(bob, 'POST', '/messages/upload', {
      filename: 'big.bin',
      contentType: 'application/octet-stream',
      size: 10 * 1024 * 1024 + 1,
    });
    expect(big.status).toBe(400);
    expect(big.body.error.details?.[0]?.path).toBe('size');
    // Nothing was stored, so the key cannot be sent.
    const direct = (
      await env.api<ConversationView>(bob, 'POST', '/messages/conversations', {
        participantIds: [erin.userId],
      })
    ).body;
    const empty = await env.api(bob, 'POST', `/messages/conversations/${direct.conversationId}`, {
      attachments: [{ key: asked.body.key }],
    });
    expect(empty.status).toBe(400);
  });
});
