/**
 * POST /events: one event, native JSON or CloudEvents (structured or binary). 413 before parsing
 * (the factory's `maxBodyBytes`), then the API key (creator/admin), then 400/413/415 from the
 * request, then the limits (402 / 429) and one write for the event (src/app/publishing.ts).
 */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { publishEvent } from '../app/publishing';
import { authenticate } from '../adapters/caller';
import { MAX_EVENT_REQUEST_BYTES, parsePublishRequest } from '../http/publish-request';
import { rejectionError } from '../http/publish-response';

export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:publish'),
  maxBodyBytes: MAX_EVENT_REQUEST_BYTES,
  handler: async ({ caller, event, correlationId }) => {
    const parsed = parsePublishRequest(event);
    if (!parsed.ok) throw rejectionError(parsed.rejection);
    const published = await publishEvent(parsed.value, { caller, correlationId });
    return jsonResponse(202, published.result, published.rateLimitHeaders);
  },
});
