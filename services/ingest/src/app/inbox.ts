/**
 * The pull API's use cases over the inbox store (rules in ../domain/inbox.ts): list the undelivered
 * events (optionally leasing them), read one, acknowledge one, give a lease back. Every one is scoped
 * to the caller's tenant: another tenant's event is a 404, exactly like a missing one.
 */
import { conflict, logger, notFound } from '@switchyard/runtime';
import type { InboxEvent } from '../domain/inbox';
import { visibleToTenant } from '../domain/inbox';
import type { InboxPageResult, InboxStore } from '../adapters/inbox-store';
import { inboxStore } from '../adapters/inbox-store';

/** Whose inbox: the caller's tenant, and the key that acts on it. */
export interface Reader {
  tenantId: string;
  keyId: string;
}

const NO_SUCH_EVENT = 'No such event';

/** GET /inbox: one page after the signed `cursor` (400 `invalid_cursor` when it is not one of ours). */
export async function listInbox(
  reader: Reader,
  request: { limit: number; cursor?: string; leaseSeconds?: number },
  store: InboxStore = inboxStore(),
): Promise<InboxPageResult> {
  const cursor = request.cursor ? await store.decodeInboxCursor(reader.tenantId, request.cursor) : undefined;
  return store.listInbox(reader.tenantId, {
    limit: request.limit,
    ...(cursor ? { cursor } : {}),
    ...(request.leaseSeconds === undefined ? {} : { leaseSeconds: request.leaseSeconds }),
  });
}

/** GET /events/{id}: the tenant's event, or 404. */
export async function readEvent(
  reader: Reader,
  eventId: string,
  store: InboxStore = inboxStore(),
): Promise<InboxEvent> {
  const event = visibleToTenant(await store.getEvent(reader.tenantId, eventId), reader.tenantId);
  if (!event) throw notFound(NO_SUCH_EVENT);
  return event;
}

/**
 * DELETE /events/{id}: the event leaves the inbox for good. Idempotent: an event already
 * acknowledged is acknowledged again without a write; 404 for one this tenant does not have.
 * EventAcknowledged follows from the table's stream (see adapters/inbox-store.ts).
 */
export async function acknowledgeEvent(
  reader: Reader,
  eventId: string,
  store: InboxStore = inboxStore(),
): Promise<void> {
  const decision = await store.acknowledge(reader.tenantId, eventId, reader.keyId);
  if (decision.outcome === 'not_found') throw notFound(NO_SUCH_EVENT);
  logger.info('event_acknowledged', { eventId, outcome: decision.outcome });
}

/**
 * POST /events/{id}/release: the lease holder gives the event back, so the next listing returns it.
 * Done also when the lease had already ended; 409 when another lease holds the event
 * (`lease_mismatch`) or it was acknowledged (`already_acknowledged`); 404 when there is no such event.
 */
export async function releaseLease(
  reader: Reader,
  eventId: string,
  leaseToken: string,
  store: InboxStore = inboxStore(),
): Promise<void> {
  const decision = await store.release(reader.tenantId, eventId, leaseToken);
  switch (decision.outcome) {
    case 'not_found':
      throw notFound(NO_SUCH_EVENT);
    case 'lease_mismatch':
      throw conflict('The event is leased with another token', { code: 'lease_mismatch' });
    case 'already_acknowledged':
      throw conflict('The event was already acknowledged', { code: 'already_acknowledged' });
    case 'release':
    case 'not_leased':
      return;
  }
}
