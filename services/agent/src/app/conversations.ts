/** The caller's own conversations: listed newest first, one read with its turns. */
import { notFound } from '@switchyard/runtime';
import type { AgentCaller } from '../adapters/caller';
import type { AgentStore } from '../adapters/agent-store';
import { agentStore } from '../adapters/agent-store';

export const conversationDeps = () => ({ store: agentStore() });

export async function listConversations(
  caller: AgentCaller,
  deps: { store: Pick<AgentStore, 'listConversations'> },
) {
  const conversations = await deps.store.listConversations(caller.tenantId, caller.ownerId);
  return {
    conversations: conversations.map((c) => ({
      conversationId: c.conversationId,
      title: c.turns[0]?.query.slice(0, 80) ?? '',
      turns: c.turns.length,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    })),
  };
}

export async function getConversation(
  caller: AgentCaller,
  conversationId: string,
  deps: { store: Pick<AgentStore, 'getConversation'> },
) {
  const conversation = await deps.store.getConversation(caller.tenantId, caller.ownerId, conversationId);
  // Another person's (or tenant's) conversation is indistinguishable from none.
  if (!conversation) throw notFound('No such conversation.');
  const { conversationId: id, turns, createdAt, updatedAt } = conversation;
  return { conversationId: id, turns, createdAt, updatedAt };
}
