/**
 * The answer as server-sent events. The gates run before the stream opens, so a refusal is an
 * ordinary JSON error with its status (401, 402, 429 with Retry-After); once open, a failure is an
 * `error` event and no `done` follows.
 */
import type { StreamingHttpRequest } from '@switchyard/runtime';
import { isHttpError } from '@switchyard/runtime';
import type { AgentCaller } from '../adapters/caller';
import type { AskRequest } from '../api-schemas';
import { sseFrame } from '../domain/sse';
import { ask, ClientGone, prepare } from './ask';
import type { AskDeps } from './ask';

export async function streamAnswer(
  { caller, body, response, signal, correlationId, logger }: StreamingHttpRequest<AskRequest, AgentCaller>,
  deps: AskDeps,
): Promise<void> {
  // Admitted once here, before any byte (a refusal is a plain JSON error); ask() below must not
  // count the cooldown twice.
  const admitted = await prepare(caller, body, deps);
  response.open(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  });
  const send = (type: Parameters<typeof sseFrame>[0], data: unknown) => response.write(sseFrame(type, data));
  try {
    const answer = await ask(
      caller,
      body,
      { ...deps, admitted },
      {
        text: (delta) => send('text', { text: delta }),
        toolUse: (call) => send('tool_use', call),
        toolResult: (result) => send('tool_result', result),
      },
      signal,
    );
    send('done', answer);
  } catch (error) {
    if (error instanceof ClientGone) {
      logger.info('agent answer abandoned by the client', { tenantId: caller.tenantId });
      return;
    }
    if (isHttpError(error)) {
      send('error', { code: error.code, message: error.message, correlationId });
      return;
    }
    logger.error('agent answer failed', error instanceof Error ? error : new Error(String(error)));
    send('error', { code: 'internal_error', message: 'Internal server error', correlationId });
  }
}
