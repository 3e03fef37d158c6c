/**
 * The outbox publisher: the events table's stream → the bus. An INSERT of an event item becomes
 * EventReceived; the one MODIFY that sets `acknowledgedAt` becomes EventAcknowledged (the ack's
 * conditional update is its outbox record, so a crash after the DELETE's 204 loses nothing). Dedup
 * records and leases publish nothing. A payload that
 * would push the entry past EventBridge's limit goes to S3 first and travels as `payloadRef`.
 * The message id is the event id, so a retried stream batch re-publishes the same message and
 * consumers de-duplicate on it.
 */
import { EventAcknowledged, EventReceived } from '@switchyard/contracts';
import { createStreamConsumer, publish, runWithCorrelationId } from '@switchyard/runtime';
import type { EventReceivedEnvelope } from '../domain/claim-check';
import { planEventReceived } from '../domain/claim-check';
import type { EventItem } from '../adapters/event-store';
import { isEventItem } from '../adapters/event-store';
import { acknowledgementFromImages } from '../adapters/inbox-store';
import type { PayloadStore } from '../adapters/payloads';
import { payloadStore } from '../adapters/payloads';
import { config } from '../config';

/** EventReceived for a stored event item, payload not yet placed. */
export function envelopeOf(item: EventItem): EventReceivedEnvelope {
  return {
    version: EventReceived.version,
    id: item.eventId,
    time: item.receivedAt,
    tenantId: item.tenantId,
    correlationId: item.correlationId ?? item.eventId,
    eventId: item.eventId,
    eventType: item.eventType,
    source: item.source,
    receivedAt: item.receivedAt,
    ...(item.idempotencyKey === undefined ? {} : { idempotencyKey: item.idempotencyKey }),
    ...(item.apiKeyId === undefined ? {} : { apiKeyId: item.apiKeyId }),
  } as EventReceivedEnvelope;
}

export async function publishEventItem(
  item: EventItem,
  deps: { payloads: PayloadStore; bucket: string; publish: typeof publish },
): Promise<'inline' | 'reference'> {
  const payload = JSON.parse(item.payloadJson) as Record<string, unknown>;
  const plan = planEventReceived(envelopeOf(item), payload, { bucket: deps.bucket });
  if (plan.mode === 'reference') await deps.payloads.put(plan.object);
  const result = await deps.publish(EventReceived, plan.message);
  if (result.failed.length > 0) {
    const failure = result.failed[0];
    throw new Error(
      `EventReceived ${item.eventId} not published: ${failure?.errorCode} ${failure?.errorMessage}`,
    );
  }
  return plan.mode;
}

/** Publishes EventAcknowledged for an ack; its id is derived from the event's, so a retry repeats it. */
export async function publishAcknowledgement(
  ack: NonNullable<ReturnType<typeof acknowledgementFromImages>>,
  correlationId: string,
  deps: { publish: typeof publish },
): Promise<void> {
  const result = await deps.publish(EventAcknowledged, {
    id: `${ack.eventId}.ack`,
    tenantId: ack.tenantId,
    correlationId,
    eventId: ack.eventId,
    acknowledgedAt: ack.acknowledgedAt,
    ...(ack.apiKeyId === undefined ? {} : { apiKeyId: ack.apiKeyId }),
  });
  if (result.failed.length > 0) {
    const failure = result.failed[0];
    throw new Error(
      `EventAcknowledged ${ack.eventId} not published: ${failure?.errorCode} ${failure?.errorMessage}`,
    );
  }
}

export const handler = createStreamConsumer({
  handleRecord: async ({ eventName, newImage, oldImage }) => {
    if (eventName === 'MODIFY') {
      const ack = acknowledgementFromImages(oldImage, newImage);
      if (!ack) return;
      const correlationId = String(newImage?.correlationId ?? ack.eventId);
      await runWithCorrelationId(correlationId, () =>
        publishAcknowledgement(ack, correlationId, { publish }),
      );
      return;
    }
    if (eventName !== 'INSERT' || !isEventItem(newImage)) return;
    const item = newImage as EventItem;
    await runWithCorrelationId(item.correlationId ?? item.eventId, () =>
      publishEventItem(item, { payloads: payloadStore(), bucket: config().PAYLOAD_BUCKET, publish }),
    );
  },
});
