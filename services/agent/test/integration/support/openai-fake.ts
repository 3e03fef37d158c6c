// A stand-in for an OpenAI-compatible chat completions endpoint (Ollama, vLLM): a real HTTP server
// that streams its answer as SSE chunks with a pause between them, and records when it finished.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpenAiFake {
  baseUrl: string;
  /** When each streamed answer's last byte was written (ms since epoch). */
  finishedAt: number[];
  /** Requests received (their bodies). */
  requests: Record<string, unknown>[];
  /** Responds with this status instead of an answer (provider failure), until cleared. */
  failWith?: number;
  /** Answers a question (a request with no tool result yet) with this tool call, until cleared. */
  toolCall?: { name: string; arguments: Record<string, unknown> };
  close(): Promise<void>;
}

export async function startOpenAiFake(options: { chunks: string[]; delayMs: number }): Promise<OpenAiFake> {
  const fake: OpenAiFake = {
    baseUrl: '',
    finishedAt: [],
    requests: [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      fake.requests.push(JSON.parse(body || '{}') as Record<string, unknown>);
      if (fake.failWith) {
        res.writeHead(fake.failWith, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const id = `chatcmpl-${Date.now()}`;
      const messages = (fake.requests.at(-1)?.messages ?? []) as { role: string }[];
      const frame = (delta: Record<string, unknown>, finish: string | null, usage?: unknown) =>
        `data: ${JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created: Math.floor(Date.now() / 1000),
          model: 'fake-model',
          choices: [{ index: 0, delta, finish_reason: finish }],
          ...(usage ? { usage } : {}),
        })}\n\n`;
      if (fake.toolCall && !messages.some((m) => m.role === 'tool')) {
        const { name, arguments: args } = fake.toolCall;
        res.write(
          frame(
            {
              role: 'assistant',
              tool_calls: [
                { index: 0, id: `call_${Date.now()}`, type: 'function', function: { name, arguments: '' } },
              ],
            },
            null,
          ),
        );
        res.write(frame({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify(args) } }] }, null));
        res.write(frame({}, 'tool_calls', { prompt_tokens: 42, completion_tokens: 9, total_tokens: 51 }));
        res.end('data: [DONE]\n\n');
        return;
      }
      let i = 0;
      let closed = false;
      res.on('close', () => (closed = true));
      const next = () => {
        if (closed) return;
        if (i < options.chunks.length) {
          res.write(
            frame(
              i === 0 ? { role: 'assistant', content: options.chunks[i] } : { content: options.chunks[i] },
              null,
            ),
          );
          i++;
          setTimeout(next, options.delayMs);
          return;
        }
        res.write(
          frame({}, 'stop', {
            prompt_tokens: 42,
            completion_tokens: options.chunks.length,
            total_tokens: 42 + options.chunks.length,
          }),
        );
        res.end('data: [DONE]\n\n');
        fake.finishedAt.push(Date.now());
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}
