/** Conversations: start one, list them, read and send messages, mark read. Participants only. */
import { randomUUID } from 'node:crypto';
import { ConversationCreated, MessageSent } from '@switchyard/contracts';
import type { Contract } from '@switchyard/contracts';
import type { PublishInput } from '@switchyard/runtime';
import { decodeCursor, encodeCursor, notFound, validationFailed } from '@switchyard/runtime';
import type { ActivityStore, OutboxEvent } from '../adapters/activity-store';
import type { AttachmentStorage } from '../adapters/attachments';
import type { ConversationStore } from '../adapters/conversation-store';
import type { Viewer } from '../domain/comments';
import type { Attachment, Conversation, Membership, Message } from '../domain/conversations';
import { conversationIdFor, kindOf, MAX_PARTICIPANTS, participantsOf } from '../domain/conversations';
import { MAX_TEXT_LENGTH, preview, sanitizeText } from '../domain/text';

export interface ConversationDeps {
  conversations: Omit<ConversationStore, 'putUpload'>;
  people: Pick<ActivityStore, 'getPerson'>;
  cursorSecret: () => Promise<Buffer>;
  /** Presigned download URLs, and what an upload really stored. */
  storage: Pick<AttachmentStorage, 'downloadUrl' | 'stat'>;
  now: () => Date;
  newId?: () => string;
}

export const CONVERSATION_NOT_FOUND = 'No such conversation.';

const event = <C extends Contract>(contract: C, input: PublishInput<C>): OutboxEvent => ({
  contract,
  input: input as PublishInput<Contract>,
});

const conversationView = (c: Conversation) => ({
  conversationId: c.conversationId,
  kind: c.kind,
  participantIds: c.participantIds,
  createdBy: c.createdBy,
  createdAt: c.createdAt,
});

const membershipView = (m: Membership) => ({
  conversationId: m.conversationId,
  kind: m.kind,
  participantIds: m.participantIds,
  unread: m.unread,
  lastActivityAt: m.lastActivityAt,
  ...(m.lastMessage ? { lastMessage: m.lastMessage } : {}),
});

async function messageView(m: Message, deps: ConversationDeps) {
  return {
    messageId: m.messageId,
    senderId: m.senderId,
    ...(m.senderDisplayName ? { senderDisplayName: m.senderDisplayName } : {}),
    text: m.text,
    attachments: await Promise.all(
      m.attachments.map(async (a) => ({ ...a, downloadUrl: await deps.storage.downloadUrl(a.key) })),
    ),
    sentAt: m.sentAt,
  };
}

/** The conversation, if the caller takes part in it; anyone else (another tenant too) gets 404. */
async function asParticipant(viewer: Viewer, conversationId: string, deps: ConversationDeps) {
  const [conversation, membership] = await Promise.all([
    deps.conversations.getConversation(viewer.tenantId, conversationId),
    deps.conversations.getMembership(viewer.tenantId, conversationId, viewer.userId),
  ]);
  if (!conversation || !membership) throw notFound(CONVERSATION_NOT_FOUND);
  return { conversation, membership };
}

export async function startConversation(
  viewer: Viewer,
  input: { participantIds: string[]; text?: string | undefined },
  deps: ConversationDeps,
): Promise<{ status: 200 | 201; body: Record<string, unknown> }> {
  const participants = participantsOf(viewer.userId, input.participantIds);
  if (participants.length < 2 || participants.length > MAX_PARTICIPANTS) {
    throw validationFailed([
      {
        path: 'participantIds',
        message: `A conversation has 2 to ${MAX_PARTICIPANTS} people, the caller included.`,
      },
    ]);
  }
  const others = participants.filter((id) => id !== viewer.userId);
  const people = await Promise.all(others.map((id) => deps.people.getPerson(viewer.tenantId, id)));
  const unknown = others.filter((_, i) => !people[i] || people[i]?.removed);
  if (unknown.length > 0) {
    throw validationFailed(
      unknown.map(() => ({
        path: 'participantIds',
        message: 'Every participant must be a person of this tenant.',
      })),
    );
  }
  const text = input.text === undefined ? undefined : cleanMessageText(input.text);
  const conversation: Conversation = {
    tenantId: viewer.tenantId,
    conversationId: conversationIdFor(viewer.tenantId, participants, deps.newId ?? randomUUID),
    kind: kindOf(participants),
    participantIds: participants,
    createdBy: viewer.userId,
    createdAt: deps.now().toISOString(),
  };
  const created = await deps.conversations.createConversation(conversation, [
    event(ConversationCreated, {
      tenantId: viewer.tenantId,
      conversationId: conversation.conversationId,
      kind: conversation.kind,
      participantIds: participants,
      createdBy: viewer.userId,
      createdAt: conversation.createdAt,
    }),
  ]);
  // A direct conversation that exists already is the one answered (its first creator stays).
  const current = created
    ? conversation
    : await deps.conversations.getConversation(viewer.tenantId, conversation.conversationId);
  if (!current) throw new Error('conversation vanished after a conflicting create');
  const body: Record<string, unknown> = conversationView(current);
  if (text !== undefined) body.message = await sendMessage(viewer, current.conversationId, { text }, deps);
  return { status: created ? 201 : 200, body };
}

/** 1 to 2,000 characters once HTML is removed (an empty text is fine with attachments). */
function cleanMessageText(raw: string, allowEmpty = false): string {
  const text = sanitizeText(raw);
  if ((!allowEmpty && text.length < 1) || text.length > MAX_TEXT_LENGTH) {
    throw validationFailed([
      { path: 'text', message: `Text must be 1 to ${MAX_TEXT_LENGTH} characters once HTML is removed.` },
    ]);
  }
  return text;
}

export async function sendMessage(
  viewer: Viewer,
  conversationId: string,
  input: { text?: string | undefined; attachments?: { key: string }[] | undefined },
  deps: ConversationDeps,
) {
  const wanted = input.attachments ?? [];
  const text = cleanMessageText(input.text ?? '', wanted.length > 0);
  const { conversation } = await asParticipant(viewer, conversationId, deps);
  const attachments: Attachment[] = [];
  for (const [i, { key }] of wanted.entries()) {
    const upload = await deps.conversations.getUpload(viewer.tenantId, key);
    // Only the sender's own uploads, each sent once, and only once the file is there.
    const stored = upload && !upload.usedBy ? await deps.storage.stat(upload.key) : undefined;
    if (!upload || upload.ownerId !== viewer.userId || upload.usedBy || stored?.size !== upload.size) {
      throw validationFailed([{ path: `attachments.${i}.key`, message: 'No such upload of yours.' }]);
    }
    attachments.push({
      key: upload.key,
      filename: upload.filename,
      contentType: upload.contentType,
      size: upload.size,
    });
  }
  const person = await deps.people.getPerson(viewer.tenantId, viewer.userId);
  const message: Message = {
    tenantId: viewer.tenantId,
    conversationId,
    messageId: `msg_${(deps.newId ?? randomUUID)().replace(/-/g, '')}`,
    senderId: viewer.userId,
    ...(person?.displayName ? { senderDisplayName: person.displayName } : {}),
    text,
    attachments,
    sentAt: deps.now().toISOString(),
  };
  const short = preview(text);
  await deps.conversations.addMessage(conversation, message, short, [
    event(MessageSent, {
      tenantId: viewer.tenantId,
      conversationId,
      messageId: message.messageId,
      senderId: viewer.userId,
      ...(message.senderDisplayName ? { senderDisplayName: message.senderDisplayName } : {}),
      participantIds: conversation.participantIds,
      textPreview: short,
      attachmentCount: attachments.length,
      sentAt: message.sentAt,
    }),
  ]);
  return messageView(message, deps);
}

/** Newest first; the cursor is signed for this tenant, conversation and person. */
export async function readConversation(
  viewer: Viewer,
  conversationId: string,
  query: { limit: number; cursor?: string | undefined },
  deps: ConversationDeps,
) {
  const { conversation, membership } = await asParticipant(viewer, conversationId, deps);
  const secret = await deps.cursorSecret();
  const scope = { scope: `${viewer.tenantId}:messages:${conversationId}:${viewer.userId}` };
  const start = query.cursor ? decodeCursor(query.cursor, secret, scope) : undefined;
  const page = await deps.conversations.listMessages(viewer.tenantId, conversationId, query.limit, start);
  return {
    conversation: { ...conversationView(conversation), unread: membership.unread },
    messages: await Promise.all(page.items.map((m) => messageView(m, deps))),
    ...(page.lastKey ? { nextCursor: encodeCursor(page.lastKey, secret, scope) } : {}),
  };
}

/** The caller's conversations, newest activity first, with their unread counts. */
export async function listConversations(
  viewer: Viewer,
  query: { limit: number; cursor?: string | undefined },
  deps: ConversationDeps,
) {
  const secret = await deps.cursorSecret();
  const scope = { scope: `${viewer.tenantId}:conversations:${viewer.userId}` };
  const start = query.cursor ? decodeCursor(query.cursor, secret, scope) : undefined;
  const page = await deps.conversations.listMemberships(viewer.tenantId, viewer.userId, query.limit, start);
  return {
    conversations: page.items.map(membershipView),
    ...(page.lastKey ? { nextCursor: encodeCursor(page.lastKey, secret, scope) } : {}),
  };
}

export async function markRead(viewer: Viewer, conversationId: string, deps: ConversationDeps) {
  await asParticipant(viewer, conversationId, deps);
  await deps.conversations.markRead(viewer.tenantId, conversationId, viewer.userId, deps.now().toISOString());
  return { conversationId, unread: 0 };
}
