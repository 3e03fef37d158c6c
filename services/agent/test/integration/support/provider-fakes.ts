// Real HTTP fakes of two providers' streaming APIs, each scripted with turns: a tool call, or text
// in chunks. They record what they received, so a test sees the tool result the agent sent back.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

export type Turn = { tool: string; input: Record<string, unknown> } | { text: string[] };

export interface ProviderFake {
  baseUrl: string;
  requests: { url: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

async function serve(
  respond: (turn: Turn, res: ServerResponse, n: number) => void,
  turns: Turn[],
  path: string,
): Promise<ProviderFake> {
  const fake: ProviderFake = {
    baseUrl: '',
    requests: [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const n = fake.requests.length;
      fake.requests.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(body || '{}') });
      respond(turns[Math.min(n, turns.length - 1)]!, res, n);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return fake;
}

/** Anthropic's Messages API with `stream: true` (server-sent events). */
export function startAnthropicFake(turns: Turn[]): Promise<ProviderFake> {
  return serve(
    (turn, res, n) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (type: string, data: Record<string, unknown>) =>
        res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      send('message_start', {
        message: {
          id: `msg_${n}`,
          type: 'message',
          role: 'assistant',
          content: [],
          model: 'claude-fake',
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 30, output_tokens: 1 },
        },
      });
      if ('tool' in turn) {
        send('content_block_start', {
          index: 0,
          content_block: { type: 'tool_use', id: `toolu_${n}`, name: turn.tool, input: {} },
        });
        send('content_block_delta', {
          index: 0,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(turn.input) },
        });
      } else {
        send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
        for (const text of turn.text) {
          send('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
        }
      }
      send('content_block_stop', { index: 0 });
      send('message_delta', {
        delta: { stop_reason: 'tool' in turn ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: 7 },
      });
      send('message_stop', {});
      res.end();
    },
    turns,
    '/v1',
  );
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Bedrock's ConverseStream (the AWS event-stream binary framing). */
export function startBedrockFake(turns: Turn[]): Promise<ProviderFake> {
  return serve(
    (turn, res, n) => {
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      const send = (eventType: string, data: Record<string, unknown>) =>
        res.write(
          codec.encode({
            headers: {
              ':message-type': { type: 'string', value: 'event' },
              ':event-type': { type: 'string', value: eventType },
              ':content-type': { type: 'string', value: 'application/json' },
            },
            body: fromUtf8(JSON.stringify(data)),
          }),
        );
      send('messageStart', { role: 'assistant' });
      if ('tool' in turn) {
        send('contentBlockStart', {
          contentBlockIndex: 0,
          // As Bedrock sends it: no `input` here, the arguments follow in deltas.
          start: { toolUse: { toolUseId: `tooluse_${n}`, name: turn.tool } },
        });
        send('contentBlockDelta', {
          contentBlockIndex: 0,
          delta: { toolUse: { input: JSON.stringify(turn.input) } },
        });
      } else {
        for (const text of turn.text) send('contentBlockDelta', { contentBlockIndex: 0, delta: { text } });
      }
      send('contentBlockStop', { contentBlockIndex: 0 });
      send('messageStop', { stopReason: 'tool' in turn ? 'tool_use' : 'end_turn' });
      send('metadata', { usage: { inputTokens: 30, outputTokens: 7, totalTokens: 37 }, metrics: {} });
      res.end();
    },
    turns,
    '',
  );
}
