/**
 * POST /events/batch: up to 100 events and 1 MB, a result per item (202 when all were accepted or
 * duplicates, 207 when some were rejected). The request counts once against the rate limit; items
 * beyond the monthly quota are rejected one by one (`quota_exhausted`), the first ones kept.
 */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import type { AcceptedEventBody, BatchItemResult } from '../domain/events';
import {
  acceptedItem,
  batchResponse,
  MAX_BATCH_REQUEST_BYTES,
  parseBatchRequest,
  rejectedItem,
} from '../domain/events';
import { authenticate } from '../adapters/caller';
import { eventStore } from '../adapters/event-store';
import { requestLimits } from '../adapters/limits';
import { assertSize, logWriteCost, rejectionError, storeEvent } from '../adapters/publishing';
import { createWriteMeter } from '../adapters/write-meter';

/** Items stored at once: enough to hide DynamoDB latency, few enough not to flood one partition. */
const CONCURRENCY = 10;

export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:publish'),
  maxBodyBytes: MAX_BATCH_REQUEST_BYTES,
  handler: async ({ caller, event, headers, correlationId, logger }) => {
    assertSize(event, MAX_BATCH_REQUEST_BYTES);
    const parsed = parseBatchRequest({
      headers,
      body: event.body ?? null,
      isBase64Encoded: event.isBase64Encoded,
    });
    if (!parsed.ok) throw rejectionError(parsed.rejection);
    const items = parsed.value;

    const meter = createWriteMeter();
    const toStore = items.filter((item) => item.ok && item.duplicateOfIndex === undefined);
    const admission = await requestLimits().admit(caller, toStore.length, meter);

    const results = new Map<number, BatchItemResult>();
    const accepted = new Map<number, AcceptedEventBody>();
    for (const item of items) {
      if (!item.ok) results.set(item.index, rejectedItem(item.index, item.rejection));
    }
    const store = eventStore();
    let stored = 0;
    let keyed = 0;
    const queue = toStore.map((item, position) => ({ item, position }));
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { item, position } = next;
        if (!item.ok) continue;
        if (position >= admission.allowedEvents) {
          results.set(
            item.index,
            rejectedItem(item.index, {
              code: 'quota_exhausted',
              message: 'The monthly event quota is used up',
            }),
          );
          continue;
        }
        try {
          const outcome = await storeEvent(store, item.event, caller, meter, correlationId);
          if (!outcome.duplicate) stored += 1;
          if (!outcome.duplicate && item.event.idempotencyKey !== undefined) keyed += 1;
          accepted.set(item.index, outcome.body);
          results.set(item.index, acceptedItem(item.index, outcome.body));
        } catch (error) {
          logger.error('batch_item_failed', { index: item.index, error: error as Error });
          results.set(
            item.index,
            rejectedItem(item.index, { code: 'internal_error', message: 'The event could not be stored' }),
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));

    // Repeats of a key inside the batch answer as duplicates of its first item.
    for (const item of items) {
      if (!item.ok || item.duplicateOfIndex === undefined) continue;
      const first = accepted.get(item.duplicateOfIndex);
      results.set(
        item.index,
        first
          ? acceptedItem(item.index, { ...first, duplicate: true })
          : rejectedItem(item.index, {
              code: 'duplicate_of_rejected',
              message: `Same idempotency key as item ${item.duplicateOfIndex}, which was not accepted`,
            }),
      );
    }

    logWriteCost(logger, meter, stored, caller.tenantId, keyed);
    const response = batchResponse([...results.values()]);
    return jsonResponse(response.status, response.body, admission.headers);
  },
});
