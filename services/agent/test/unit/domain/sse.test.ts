import { parseSse, sseFrame } from '../../../src/domain/sse';

describe('sse', () => {
  it('frames one event per block with JSON data that survives newlines in the text', () => {
    const frame = sseFrame('text', { text: 'two\nlines' });
    expect(frame).toBe('event: text\ndata: {"text":"two\\nlines"}\n\n');
    expect(parseSse(frame + sseFrame('done', { ok: true }))).toEqual([
      { event: 'text', data: { text: 'two\nlines' } },
      { event: 'done', data: { ok: true } },
    ]);
  });
});
