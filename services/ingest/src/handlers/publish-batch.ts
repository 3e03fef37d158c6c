/**
 * POST /events/batch: up to 100 events and 1 MB (413 before parsing, the factory's `maxBodyBytes`),
 * a result per item: 202 when all were accepted or duplicates, 207 when some were rejected. The
 * steps (one rate-limit count, the quota, storage) are src/app/publishing.ts's.
 */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { publishBatch } from '../app/publishing';
import { authenticate } from '../adapters/caller';
import { MAX_BATCH_REQUEST_BYTES, parseBatchRequest } from '../http/publish-request';
import { batchResponse, rejectionError } from '../http/publish-response';

export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:publish'),
  maxBodyBytes: MAX_BATCH_REQUEST_BYTES,
  handler: async ({ caller, event, correlationId }) => {
    const parsed = parseBatchRequest(event);
    if (!parsed.ok) throw rejectionError(parsed.rejection);
    const published = await publishBatch(parsed.value, { caller, correlationId });
    const response = batchResponse(published.result);
    return jsonResponse(response.status, response.body, published.rateLimitHeaders);
  },
});
