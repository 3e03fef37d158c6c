/** Conversations as activity decides about them: pure, the clock and ids passed in. */
import { createHash } from 'node:crypto';

/** Most people one conversation holds (a message's transaction writes one row per participant). */
export const MAX_PARTICIPANTS = 50;

export type ConversationKind = 'direct' | 'group';

export interface Conversation {
  tenantId: string;
  conversationId: string;
  kind: ConversationKind;
  participantIds: string[];
  createdBy: string;
  createdAt: string;
}

/** One participant's view of a conversation: their unread count and where it sits in their list. */
export interface Membership {
  tenantId: string;
  conversationId: string;
  userId: string;
  kind: ConversationKind;
  participantIds: string[];
  unread: number;
  lastActivityAt: string;
  lastReadAt?: string;
  lastMessage?: { senderId: string; preview: string; sentAt: string };
}

export interface Attachment {
  key: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface Message {
  tenantId: string;
  conversationId: string;
  messageId: string;
  senderId: string;
  senderDisplayName?: string;
  text: string;
  attachments: Attachment[];
  sentAt: string;
}

/** The caller and whoever they named, each once, in a stable order. */
export function participantsOf(callerId: string, named: string[]): string[] {
  return [...new Set([callerId, ...named])].sort();
}

/**
 * Two people have one direct conversation: its id is derived from the tenant and the two user ids
 * (in either order), so asking again finds it. A group gets a new id each time.
 */
export function conversationIdFor(tenantId: string, participants: string[], newId: () => string): string {
  if (participants.length !== 2) return `grp_${newId().replace(/-/g, '')}`;
  const digest = createHash('sha256')
    .update(`${tenantId}\n${[...participants].sort().join('\n')}`)
    .digest('hex');
  return `dm_${digest.slice(0, 32)}`;
}

export const kindOf = (participants: string[]): ConversationKind =>
  participants.length === 2 ? 'direct' : 'group';
