/** A conversation: the caller's questions and the agent's answers, the most recent 20 turns kept. */
export const MAX_TURNS = 20;
export const CONVERSATION_TTL_SECONDS = 30 * 24 * 60 * 60;

export interface ToolCallView {
  tool: string;
  input: unknown;
  output?: unknown;
}

export interface Turn {
  queryId: string;
  query: string;
  response: string;
  toolCalls: ToolCallView[];
  askedAt: string;
}

export interface Conversation {
  conversationId: string;
  tenantId: string;
  /** Who owns it: a person's user id or `key:<keyId>`. */
  ownerId: string;
  turns: Turn[];
  createdAt: string;
  updatedAt: string;
}

/** The conversation with one more turn, the oldest dropped past MAX_TURNS. */
export function appendTurn(conversation: Conversation, turn: Turn): Conversation {
  const turns = [...conversation.turns, turn].slice(-MAX_TURNS);
  return { ...conversation, turns, updatedAt: turn.askedAt };
}

/** Earlier turns as chat messages for the model (question, then answer). */
export function historyMessages(conversation: Conversation | undefined) {
  const messages: { role: 'user' | 'assistant'; content: string }[] = [];
  for (const turn of conversation?.turns ?? []) {
    messages.push({ role: 'user', content: turn.query }, { role: 'assistant', content: turn.response });
  }
  return messages;
}
