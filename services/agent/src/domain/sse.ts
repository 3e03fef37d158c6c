/** Server-sent events framing: `event: <type>\ndata: <json>\n\n` (one JSON line, so no data line splits). */
export type AgentEventType = 'text' | 'tool_use' | 'tool_result' | 'error' | 'done';

export function sseFrame(type: AgentEventType, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Parses a stream of frames back (tests and the benchmark read the stream with it). */
export function parseSse(text: string): { event: string; data: unknown }[] {
  const out: { event: string; data: unknown }[] = [];
  for (const block of text.split('\n\n')) {
    if (!block.trim()) continue;
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    out.push({ event, data: data ? (JSON.parse(data) as unknown) : undefined });
  }
  return out;
}
