/**
 * A fetch for the Bedrock provider that adds `input: {}` to a tool use's `contentBlockStart` event.
 * Bedrock's ConverseStream never sends `input` there (the arguments follow in deltas), but the
 * provider's 3.x schema requires the key under zod ≥ 4.4, so every streamed tool call would fail
 * validation. Fixed upstream in the 4.x provider (AI SDK 6); drop this when the agent moves to it.
 * Every other frame passes through byte for byte.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function addToolUseInput(): TransformStream<Uint8Array, Uint8Array> {
  let buffer = new Uint8Array(0);
  return new TransformStream({
    transform(chunk, controller) {
      const next = new Uint8Array(buffer.length + chunk.length);
      next.set(buffer);
      next.set(chunk, buffer.length);
      buffer = next;
      while (buffer.length >= 4) {
        const total = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength).getUint32(0, false);
        if (buffer.length < total) break;
        const frame = buffer.slice(0, total);
        buffer = buffer.slice(total);
        controller.enqueue(patchFrame(frame));
      }
    },
    flush(controller) {
      if (buffer.length > 0) controller.enqueue(buffer);
    },
  });
}

function patchFrame(frame: Uint8Array): Uint8Array {
  const message = codec.decode(frame);
  if (message.headers[':event-type']?.value !== 'contentBlockStart') return frame;
  const body = JSON.parse(toUtf8(message.body)) as { start?: { toolUse?: Record<string, unknown> } };
  const toolUse = body.start?.toolUse;
  if (!toolUse || 'input' in toolUse) return frame;
  toolUse.input = {};
  return codec.encode({ headers: message.headers, body: fromUtf8(JSON.stringify(body)) });
}

export function bedrockFetch(base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!response.ok || !response.body || !url.endsWith('/converse-stream')) return response;
    return new Response(response.body.pipeThrough(addToolUseInput()), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
