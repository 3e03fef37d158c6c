import type { Contract } from './contract';
import { AgentQueryCompleted } from './agent/agent-query-completed';
import { CommentCreated } from './activity/comment-created';
import { CommentEdited } from './activity/comment-edited';
import { CommentDeleted } from './activity/comment-deleted';
import { ReactionAdded } from './activity/reaction-added';
import { ReactionRemoved } from './activity/reaction-removed';
import { ConversationCreated } from './activity/conversation-created';
import { MessageSent } from './activity/message-sent';
import { PersonActivityChanged } from './activity/person-activity-changed';
import { CheckoutCompleted } from './billing/checkout-completed';
import { InvoicePaid } from './billing/invoice-paid';
import { InvoicePaymentFailed } from './billing/invoice-payment-failed';
import { SubscriptionChanged } from './billing/subscription-changed';
import { UsageThresholdReached } from './billing/usage-threshold-reached';
import { DeliveryRequested } from './delivery/delivery-requested';
import { EndpointDisabled } from './delivery/endpoint-disabled';
import { MessageExhausted } from './delivery/message-exhausted';
import { ApiKeyCreated } from './identity/api-key-created';
import { ApiKeyRevoked } from './identity/api-key-revoked';
import { ApiKeyUpdated } from './identity/api-key-updated';
import { CheckoutLinked } from './identity/checkout-linked';
import { ConnectionNeedsReauth } from './identity/connection-needs-reauth';
import { ProfileUpdated } from './identity/profile-updated';
import { TenantCreated } from './identity/tenant-created';
import { UserCreated } from './identity/user-created';
import { UserRemoved } from './identity/user-removed';
import { UserUpdated } from './identity/user-updated';
import { EventAcknowledged } from './ingest/event-acknowledged';
import { EventReceived } from './ingest/event-received';
import { BusReplayed } from './ops/bus-replayed';
import { DlqReplayed } from './ops/dlq-replayed';

/** Every message Switchyard defines. A new contract file must be added here to exist. */
export const allContracts: readonly Contract[] = [
  TenantCreated,
  UserCreated,
  UserUpdated,
  UserRemoved,
  ApiKeyCreated,
  ApiKeyUpdated,
  ApiKeyRevoked,
  ProfileUpdated,
  ConnectionNeedsReauth,
  EventReceived,
  EventAcknowledged,
  SubscriptionChanged,
  UsageThresholdReached,
  CheckoutCompleted,
  InvoicePaid,
  InvoicePaymentFailed,
  CheckoutLinked,
  MessageExhausted,
  EndpointDisabled,
  DeliveryRequested,
  DlqReplayed,
  BusReplayed,
  AgentQueryCompleted,
  CommentCreated,
  CommentEdited,
  CommentDeleted,
  ReactionAdded,
  ReactionRemoved,
  ConversationCreated,
  MessageSent,
  PersonActivityChanged,
];

/** `source/DetailType.vN`: names one contract (and its generated JSON Schema file). */
export function contractKey(c: Pick<Contract, 'source' | 'detailType' | 'version'>): string {
  return `${c.source}/${c.detailType}.v${c.version}`;
}

/**
 * Throws when two contracts claim the same (source, detail-type, version), or when one detail-type
 * is declared on both channels. Two versions of one detail-type may coexist during a deprecation
 * window (see docs/conventions.md), so the version is part of the identity.
 */
export function assertUniqueContracts(contracts: readonly Contract[]): void {
  const seen = new Set<string>();
  const channelOf = new Map<string, string>();
  for (const c of contracts) {
    const key = contractKey(c);
    if (seen.has(key)) throw new Error(`duplicate contract ${key}`);
    seen.add(key);
    const pair = `${c.source}/${c.detailType}`;
    const channel = channelOf.get(pair);
    if (channel !== undefined && channel !== c.channel) {
      throw new Error(`${pair} is declared on both the ${channel} and the ${c.channel} channel`);
    }
    channelOf.set(pair, c.channel);
  }
}

// Checked at import: a duplicate fails every service and test at once rather than misrouting later.
assertUniqueContracts(allContracts);

/** Messages that travel over the EventBridge bus (what rules may match). */
export const busContracts: readonly Contract[] = allContracts.filter((c) => c.channel === 'bus');
/** Messages that are SQS message bodies on a service's internal queue. */
export const queueContracts: readonly Contract[] = allContracts.filter((c) => c.channel === 'queue');

/**
 * The contract for a message, by EventBridge `source` and `detail-type`. With `version` (the header's
 * `detail.version`) the exact version; without it, the newest one defined.
 */
export function findContract(source: string, detailType: string, version?: number): Contract | undefined {
  let found: Contract | undefined;
  for (const c of allContracts) {
    if (c.source !== source || c.detailType !== detailType) continue;
    if (version !== undefined) {
      if (c.version === version) return c;
    } else if (!found || c.version > found.version) {
      found = c;
    }
  }
  return found;
}
