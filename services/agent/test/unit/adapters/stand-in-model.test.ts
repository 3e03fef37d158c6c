import type { LanguageModelV2Prompt } from '@ai-sdk/provider';
import { stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { standInModel, standInPlan } from '../../../src/adapters/stand-in-model';

const ask = (text: string): LanguageModelV2Prompt => [{ role: 'user', content: [{ type: 'text', text }] }];

describe('the stand-in model', () => {
  it('routes question forms to the tools', () => {
    expect(standInPlan(ask('show event evt_123'))).toEqual({
      kind: 'tool',
      toolName: 'get_event',
      input: { eventId: 'evt_123' },
    });
    expect(standInPlan(ask('the last order.paid event'))).toEqual({
      kind: 'tool',
      toolName: 'search_events',
      input: { eventType: 'order.paid', limit: 1 },
    });
    expect(standInPlan(ask('how many events per hour?'))).toMatchObject({
      toolName: 'event_stats',
      input: { bucket: 'hour' },
    });
    expect(standInPlan(ask('hello'))).toMatchObject({ kind: 'text' });
  });

  it('calls a tool through the AI SDK and streams its answer from the result in several chunks', async () => {
    const result = streamText({
      model: standInModel({ chunkDelayMs: 1 }),
      prompt: 'show event evt_9',
      stopWhen: stepCountIs(5),
      tools: {
        get_event: tool({
          inputSchema: z.object({ eventId: z.string() }),
          execute: async ({ eventId }) => ({
            event: {
              eventId,
              eventType: 'order.paid',
              source: 'shop',
              receivedAt: '2026-01-01T00:00:00Z',
              payload: { a: 1 },
            },
          }),
        }),
      },
    });
    const deltas: string[] = [];
    for await (const part of result.fullStream) if (part.type === 'text-delta') deltas.push(part.text);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toContain('Event evt_9 of type order.paid');
    expect((await result.totalUsage).outputTokens).toBeGreaterThan(0);
  });
});
