/**
 * The outbox publisher: what a batch of the events table's stream announces on the bus. An INSERT of
 * an event item becomes EventReceived (`eventReceivedOf`); the one MODIFY that sets `acknowledgedAt`
 * becomes EventAcknowledged (`eventAcknowledgedOf`: the ack's conditional update is its outbox
 * record, so a crash after the DELETE's 204 loses nothing). Dedup records and leases publish nothing.
 * A payload that would push the entry past EventBridge's limit goes to S3 first and travels as
 * `payloadRef` (the domain's claim check decides). The message id is the event id, so a retried
 * stream batch re-publishes the same message and consumers de-duplicate on it.
 *
 * A stream batch is published as a whole: one PutEvents per 10 entries (the runtime's `publish`
 * batches and retries rejected entries), not one per record. A record fails alone (and the shard
 * resumes from the first failed one) when its payload could not be put in S3 or EventBridge did not
 * take its entry.
 */
import { EventAcknowledged, EventReceived } from '@switchyard/contracts';
import type { Contract } from '@switchyard/contracts';
import { errorMessage, MessageValidationError } from '@switchyard/runtime';
import type { publish, PublishInput, StreamBatchFailure, StreamChange } from '@switchyard/runtime';
import type { ClaimCheckPlan } from '../domain/claim-check';
import { planEventReceived } from '../domain/claim-check';
import { eventReceivedOf } from '../adapters/event-store';
import { eventAcknowledgedOf } from '../adapters/inbox-store';
import type { PayloadStore } from '../adapters/payloads';

export interface OutboxDeps {
  payloads: PayloadStore;
  bucket: string;
  publish: typeof publish;
}

/** One message to publish for one stream record. */
interface Outgoing<M> {
  sequenceNumber: string;
  correlationId: string;
  message: M & { id: string };
}

/**
 * Publishes what a batch of stream changes announces and returns the records that failed. Payloads
 * too large for an entry are put in S3 first (their record fails if that fails); then every
 * EventReceived of the batch is published in one `publish` call, then every EventAcknowledged.
 */
export async function publishChanges(
  changes: StreamChange[],
  deps: OutboxDeps,
): Promise<StreamBatchFailure[]> {
  const failures: StreamBatchFailure[] = [];
  const received: (Outgoing<EventReceived> & { plan: ClaimCheckPlan })[] = [];
  const acknowledged: Outgoing<PublishInput<typeof EventAcknowledged>>[] = [];
  for (const { eventName, newImage, oldImage, sequenceNumber } of changes) {
    try {
      if (eventName === 'MODIFY') {
        const ack = eventAcknowledgedOf(oldImage, newImage);
        if (ack) acknowledged.push({ sequenceNumber, ...ack });
        continue;
      }
      const event = eventName === 'INSERT' ? eventReceivedOf(newImage) : undefined;
      if (!event) continue;
      const plan = planEventReceived(event.envelope, event.payload, { bucket: deps.bucket });
      received.push({ sequenceNumber, correlationId: event.correlationId, message: plan.message, plan });
    } catch (error) {
      failures.push(failureOf(sequenceNumber, undefined, error));
    }
  }

  const ready: Outgoing<EventReceived>[] = [];
  for (const entry of received) {
    if (entry.plan.mode === 'reference') {
      try {
        await deps.payloads.put(entry.plan.object);
      } catch (error) {
        failures.push(failureOf(entry.sequenceNumber, entry.correlationId, error));
        continue;
      }
    }
    ready.push(entry);
  }
  failures.push(...(await publishAll(EventReceived, ready, deps)));
  failures.push(...(await publishAll(EventAcknowledged, acknowledged, deps)));
  return failures;
}

/** One publish call for all the messages; the records whose entries were not taken fail. */
async function publishAll<C extends Contract>(
  contract: C,
  outgoing: Outgoing<unknown>[],
  deps: OutboxDeps,
): Promise<StreamBatchFailure[]> {
  if (outgoing.length === 0) return [];
  let result: Awaited<ReturnType<typeof publish>>;
  try {
    result = await deps.publish(
      contract,
      outgoing.map((o) => o.message as PublishInput<C>),
    );
  } catch (error) {
    // A message that does not validate sends nothing of the call: publish the others one by one,
    // so only the bad record fails.
    if (error instanceof MessageValidationError && outgoing.length > 1) {
      const failures: StreamBatchFailure[] = [];
      for (const one of outgoing) failures.push(...(await publishAll(contract, [one], deps)));
      return failures;
    }
    return outgoing.map((o) => failureOf(o.sequenceNumber, o.correlationId, error));
  }
  if (result.failed.length === 0) return [];
  const failed = new Map(result.failed.map((f) => [f.id, f]));
  return outgoing.flatMap((o) => {
    const failure = failed.get(o.message.id);
    if (!failure) return [];
    return [
      {
        sequenceNumber: o.sequenceNumber,
        correlationId: o.correlationId,
        reason: `${contract.detailType} ${o.message.id} not published: ${failure.errorCode} ${failure.errorMessage}`,
      },
    ];
  });
}

function failureOf(
  sequenceNumber: string,
  correlationId: string | undefined,
  error: unknown,
): StreamBatchFailure {
  return {
    sequenceNumber,
    ...(correlationId === undefined ? {} : { correlationId }),
    reason: errorMessage(error),
    error,
  };
}
