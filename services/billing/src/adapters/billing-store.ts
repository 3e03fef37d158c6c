/**
 * All access to `billing-<stage>` (layout in ./billing-table.ts). Reads are strongly consistent;
 * every change is one TransactWriteItems holding the Stripe event's record (when a webhook caused
 * it), every item changed, conditioned on the revision it was read at, and the messages to publish
 * (outbox). So a Stripe event is recorded if and only if its effect is, a duplicate changes nothing,
 * and two writers of one item never both win: the loser is told `conflict` and reads again.
 */
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  CheckoutCompleted,
  InvoicePaid,
  InvoicePaymentFailed,
  SubscriptionChanged,
} from '@switchyard/contracts';
import { cancellationReasons, dynamoDbDocumentClient, outboxPut, queryAll } from '@switchyard/runtime';
import { config } from '../config';
import type {
  CheckoutRecord,
  CustomerRecord,
  Outgoing,
  PendingInvoice,
  SubscriptionRecord,
  TenantBilling,
} from '../domain/billing';
import { billingKeys, GRACE_DUE_INDEX, GRACE_DUE_PK, STRIPE_EVENT_RETENTION_SECONDS } from './billing-table';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** An item to write and the revision it was read at (undefined: it must not exist yet). */
export interface Versioned<T> {
  record: T;
  readRevision: number | undefined;
}

export interface BillingWrite {
  /** The Stripe event being handled: recorded once, with its effect. */
  stripeEvent?: { eventId: string; type: string; created: number };
  subscription?: Versioned<SubscriptionRecord>;
  customer?: Versioned<CustomerRecord>;
  checkout?: Versioned<CheckoutRecord>;
  tenant?: Versioned<TenantBilling>;
  putPending?: PendingInvoice[];
  /** Holds only while this customer has no tenant (an invoice parked as pending). */
  customerUnlinked?: string;
  deletePending?: PendingInvoice[];
  publish: Outgoing[];
}

export type CommitResult = 'committed' | 'duplicate' | 'conflict';

export interface BillingStore {
  hasStripeEvent(eventId: string): Promise<boolean>;
  getSubscription(subscriptionId: string): Promise<SubscriptionRecord | undefined>;
  getCustomer(customerId: string): Promise<CustomerRecord | undefined>;
  getCheckout(sessionId: string): Promise<CheckoutRecord | undefined>;
  getTenant(tenantId: string, options?: { consistent?: boolean }): Promise<TenantBilling | undefined>;
  pendingInvoices(customerId: string): Promise<PendingInvoice[]>;
  commit(write: BillingWrite): Promise<CommitResult>;
  /** Tenants whose past_due grace ends at or before `now`, oldest first. */
  graceEndingBy(now: Date, limit: number): Promise<string[]>;
}

/** Drops undefined values and empty maps: the local stream reader cannot decode an empty map. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (inner === undefined) continue;
    const compacted = compact(inner);
    if (
      compacted &&
      typeof compacted === 'object' &&
      !Array.isArray(compacted) &&
      Object.keys(compacted).length === 0
    ) {
      continue;
    }
    out[key] = compacted;
  }
  return out as T;
}

const STORAGE_FIELDS = ['pk', 'sk', 'duePk', 'dueAt', 'expiresAtEpoch', 'type'];

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const record: Record<string, unknown> = { ...item };
  for (const field of STORAGE_FIELDS) delete record[field];
  return record as T;
}

/** Price metadata comes back as `{}` when it was left out for being empty. */
function withSnapshotDefaults(record: SubscriptionRecord | undefined): SubscriptionRecord | undefined {
  if (!record?.snapshot) return record;
  return {
    ...record,
    snapshot: {
      ...record.snapshot,
      price: { ...record.snapshot.price, metadata: record.snapshot.price.metadata ?? {} },
    },
  };
}

/** Holds when the item is still at the revision read (undefined: when it does not exist yet). */
export function revisionCondition(readRevision: number | undefined): {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  return readRevision === undefined
    ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } }
    : {
        ConditionExpression: '#revision = :revision',
        ExpressionAttributeNames: { '#revision': 'revision' },
        ExpressionAttributeValues: { ':revision': readRevision },
      };
}

function versionedPut(
  tableName: string,
  key: { pk: string; sk: string },
  item: Record<string, unknown>,
  readRevision: number | undefined,
): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: compact({ ...item, ...key, revision: (readRevision ?? 0) + 1 }),
      ...revisionCondition(readRevision),
    },
  };
}

function outboxEntry(tableName: string, message: Outgoing): TransactItem {
  switch (message.type) {
    case 'SubscriptionChanged':
      return outboxPut(tableName, SubscriptionChanged, message.body);
    case 'CheckoutCompleted':
      return outboxPut(tableName, CheckoutCompleted, message.body);
    case 'InvoicePaid':
      return outboxPut(tableName, InvoicePaid, message.body);
    case 'InvoicePaymentFailed':
      return outboxPut(tableName, InvoicePaymentFailed, message.body);
  }
}

/** The transaction's items; the Stripe event's record, when there is one, is first. */
export function transactItems(tableName: string, write: BillingWrite, nowMs = Date.now()): TransactItem[] {
  const items: TransactItem[] = [];
  if (write.stripeEvent) {
    items.push({
      Put: {
        TableName: tableName,
        Item: {
          ...billingKeys.stripeEvent(write.stripeEvent.eventId),
          type: write.stripeEvent.type,
          created: write.stripeEvent.created,
          handledAt: new Date(nowMs).toISOString(),
          expiresAtEpoch: Math.floor(nowMs / 1000) + STRIPE_EVENT_RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      },
    });
  }
  const { subscription, customer, checkout, tenant } = write;
  if (subscription) {
    items.push(
      versionedPut(
        tableName,
        billingKeys.subscription(subscription.record.subscriptionId),
        { ...subscription.record },
        subscription.readRevision,
      ),
    );
  }
  if (customer) {
    items.push(
      versionedPut(
        tableName,
        billingKeys.customer(customer.record.customerId),
        { ...customer.record },
        customer.readRevision,
      ),
    );
  }
  if (checkout) {
    items.push(
      versionedPut(
        tableName,
        billingKeys.checkout(checkout.record.sessionId),
        { ...checkout.record },
        checkout.readRevision,
      ),
    );
  }
  if (tenant) {
    const graceEndsAt = tenant.record.graceEndsAt;
    items.push(
      versionedPut(
        tableName,
        billingKeys.tenant(tenant.record.tenantId),
        { ...tenant.record, ...(graceEndsAt ? { duePk: GRACE_DUE_PK, dueAt: graceEndsAt } : {}) },
        tenant.readRevision,
      ),
    );
  }
  if (write.customerUnlinked) {
    items.push({
      ConditionCheck: {
        TableName: tableName,
        Key: billingKeys.customer(write.customerUnlinked),
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      },
    });
  }
  for (const pending of write.putPending ?? []) {
    items.push({
      Put: {
        TableName: tableName,
        Item: compact({
          ...billingKeys.pendingInvoice(pending.customerId, pending.eventId),
          ...pending,
          expiresAtEpoch: Math.floor(nowMs / 1000) + STRIPE_EVENT_RETENTION_SECONDS,
        }),
      },
    });
  }
  for (const pending of write.deletePending ?? []) {
    items.push({
      Delete: {
        TableName: tableName,
        Key: billingKeys.pendingInvoice(pending.customerId, pending.eventId),
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      },
    });
  }
  for (const message of write.publish) items.push(outboxEntry(tableName, message));
  return items;
}

export function createBillingStore(
  client: () => DynamoDBDocumentClient = dynamoDbDocumentClient,
  tableName: () => string = () => config().BILLING_TABLE,
): BillingStore {
  const get = async <T>(key: { pk: string; sk: string }, consistent = true): Promise<T | undefined> => {
    const { Item } = await client().send(
      new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: consistent }),
    );
    return strip<T>(Item);
  };
  return {
    async hasStripeEvent(eventId) {
      return (await get(billingKeys.stripeEvent(eventId))) !== undefined;
    },
    getSubscription: async (id) =>
      withSnapshotDefaults(await get<SubscriptionRecord>(billingKeys.subscription(id))),
    getCustomer: (id) => get<CustomerRecord>(billingKeys.customer(id)),
    getCheckout: (id) => get<CheckoutRecord>(billingKeys.checkout(id)),
    getTenant: (id, options = {}) => get<TenantBilling>(billingKeys.tenant(id), options.consistent ?? true),
    async pendingInvoices(customerId) {
      const items = await queryAll(client(), {
        TableName: tableName(),
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':pk': billingKeys.pendingInvoices(customerId) },
        ConsistentRead: true,
      });
      return items.map((item) => strip<PendingInvoice>(item)!);
    },
    async commit(write) {
      const items = transactItems(tableName(), write);
      if (items.length === 0) return 'committed';
      try {
        await client().send(new TransactWriteCommand({ TransactItems: items }));
        return 'committed';
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (!reasons) throw error;
        if (write.stripeEvent && reasons[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
          return 'conflict';
        }
        throw error;
      }
    },
    async graceEndingBy(now, limit) {
      const { Items = [] } = await client().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: GRACE_DUE_INDEX,
          KeyConditionExpression: '#duePk = :pk AND #dueAt <= :now',
          ExpressionAttributeNames: { '#duePk': 'duePk', '#dueAt': 'dueAt' },
          ExpressionAttributeValues: { ':pk': GRACE_DUE_PK, ':now': now.toISOString() },
          Limit: limit,
        }),
      );
      return Items.map((item) => String(item.tenantId));
    },
  };
}

let store: BillingStore | undefined;
export function billingStore(): BillingStore {
  store ??= createBillingStore();
  return store;
}
