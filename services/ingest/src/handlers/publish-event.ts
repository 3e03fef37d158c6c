/**
 * POST /events: one event, native JSON or CloudEvents (structured or binary). 413 before parsing,
 * then the API key (creator/admin), then 400 with field details, then the limits (402 / 429), then
 * one write for the event (a transaction with its dedup record when it has an idempotency key).
 */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { MAX_EVENT_REQUEST_BYTES, parsePublishRequest } from '../domain/events';
import { authenticate } from '../adapters/caller';
import { eventStore } from '../adapters/event-store';
import { requestLimits } from '../adapters/limits';
import { assertSize, logWriteCost, rejectionError, storeEvent } from '../adapters/publishing';
import { createWriteMeter } from '../adapters/write-meter';

export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:publish'),
  maxBodyBytes: MAX_EVENT_REQUEST_BYTES,
  handler: async ({ caller, event, headers, correlationId, logger }) => {
    assertSize(event, MAX_EVENT_REQUEST_BYTES);
    const parsed = parsePublishRequest({
      headers,
      body: event.body ?? null,
      isBase64Encoded: event.isBase64Encoded,
    });
    if (!parsed.ok) throw rejectionError(parsed.rejection);

    const meter = createWriteMeter();
    const admission = await requestLimits().admit(caller, 1, meter);
    const outcome = await storeEvent(eventStore(), parsed.value, caller, meter, correlationId);
    logWriteCost(
      logger,
      meter,
      outcome.duplicate ? 0 : 1,
      caller.tenantId,
      parsed.value.idempotencyKey === undefined ? 0 : 1,
    );
    logger.debug('event_accepted', {
      eventId: outcome.body.event_id,
      duplicate: outcome.duplicate,
      format: parsed.value.format,
    });
    return jsonResponse(202, outcome.body, admission.headers);
  },
});
