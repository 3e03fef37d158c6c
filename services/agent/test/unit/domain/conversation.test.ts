import { appendTurn, historyMessages, MAX_TURNS } from '../../../src/domain/conversation';
import type { Conversation, Turn } from '../../../src/domain/conversation';

const empty: Conversation = {
  conversationId: 'conv_1',
  tenantId: 'ten_a',
  ownerId: 'usr_1',
  turns: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const turn = (n: number): Turn => ({
  queryId: `q_${n}`,
  query: `question ${n}`,
  response: `answer ${n}`,
  toolCalls: [],
  askedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
});

describe('conversation', () => {
  it(`keeps the last ${MAX_TURNS} turns, dropping the oldest`, () => {
    let c = empty;
    for (let n = 1; n <= MAX_TURNS + 3; n++) c = appendTurn(c, turn(n));
    expect(c.turns).toHaveLength(MAX_TURNS);
    expect(c.turns[0]!.queryId).toBe('q_4');
    expect(c.turns.at(-1)!.queryId).toBe(`q_${MAX_TURNS + 3}`);
    expect(c.updatedAt).toBe(turn(MAX_TURNS + 3).askedAt);
  });

  it('gives the model earlier turns as question and answer, in order', () => {
    const c = appendTurn(appendTurn(empty, turn(1)), turn(2));
    expect(historyMessages(c)).toEqual([
      { role: 'user', content: 'question 1' },
      { role: 'assistant', content: 'answer 1' },
      { role: 'user', content: 'question 2' },
      { role: 'assistant', content: 'answer 2' },
    ]);
    expect(historyMessages(undefined)).toEqual([]);
  });
});
