import type {
  AgentQueryCompleted,
  CommentCreated,
  CommentEdited,
  CommentDeleted,
  ReactionAdded,
  ReactionRemoved,
  ConversationCreated,
  MessageSent,
  PersonActivityChanged,
  ApiKeyCreated,
  CheckoutCompleted,
  CheckoutLinked,
  InvoicePaid,
  InvoicePaymentFailed,
  ApiKeyRevoked,
  ApiKeyUpdated,
  ConnectionNeedsReauth,
  DeliveryRequested,
  BusReplayed,
  DlqReplayed,
  EndpointDisabled,
  EventAcknowledged,
  EventReceived,
  MessageExhausted,
  ProfileUpdated,
  SubscriptionChanged,
  TenantCreated,
  UsageThresholdReached,
  UserCreated,
  UserRemoved,
  UserUpdated,
} from '../../src';

// One realistic message per contract, typed with the exported message types so a type change that
// breaks producers also breaks this file. Keyed by contractKey().

const header = {
  version: 1,
  id: '01J9Z3W8Q4V6K2M7N5P8R1T3X6',
  time: '2025-03-14T09:26:53.589Z',
  tenantId: 'tnt_01J9Z3VZ4Y0D8E6F2G1H3J5K7M',
  correlationId: 'c0a8012e-7d3f-4b9a-9e21-5f6a7b8c9d0e',
} as const;

const tenantCreated: TenantCreated = {
  ...header,
  name: 'Acme Logistics',
  adminUserId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  createdAt: '2025-03-14T09:26:53.000Z',
  checkoutSessionId: 'cs_test_a1B2c3D4e5F6g7H8i9J0',
};

const userCreated: UserCreated = {
  ...header,
  userId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  email: 'ada@acme.example',
  role: 'admin',
  groups: ['Admins'],
  status: 'active',
  invitedBy: 'usr_01J9Z3X0Z9Y8X7W6V5T4S3R2Q1',
  displayName: 'Ada Lovelace',
  locale: 'en-GB',
  createdAt: '2025-03-14T09:26:53.000Z',
};

const userUpdated: UserUpdated = {
  ...header,
  userId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  changedFields: ['status'],
  old: {
    email: 'ada@acme.example',
    displayName: 'Ada Lovelace',
    groups: ['Admins'],
    role: 'admin',
    status: 'active',
  },
  new: {
    email: 'ada@acme.example',
    displayName: 'Ada Lovelace',
    groups: ['Admins'],
    role: 'admin',
    status: 'suspended',
  },
  revision: 3,
  updatedBy: 'key:abcdefghjkmnpqrstvwx',
  updatedAt: '2025-04-02T08:00:00.000Z',
};

const userRemoved: UserRemoved = {
  ...header,
  userId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  email: 'ada@acme.example',
  displayName: 'Ada Lovelace',
  groups: [],
  role: 'viewer',
  status: 'suspended',
  removedBy: 'usr_01J9Z3X0Z9Y8X7W6V5T4S3R2Q1',
  removedAt: '2025-04-05T08:00:00.000Z',
};

const apiKeyCreated: ApiKeyCreated = {
  ...header,
  keyId: 'key_01J9Z40B7C8D9E0F1G2H3J4K5M',
  name: 'orders producer',
  role: 'creator',
  status: 'active',
  secretHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  ownerEmail: 'ada@acme.example',
  createdBy: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  createdAt: '2025-03-14T09:30:00.000Z',
  expiresAt: '2026-03-14T09:30:00.000Z',
};

const apiKeyUpdated: ApiKeyUpdated = {
  ...header,
  keyId: 'key_01J9Z40B7C8D9E0F1G2H3J4K5M',
  old: { status: 'active', role: 'creator', expiresAt: '2026-03-14T09:30:00.000Z' },
  new: { status: 'inactive', role: 'creator', expiresAt: '2026-03-14T09:30:00.000Z' },
  updatedBy: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  updatedAt: '2025-04-01T12:00:00.000Z',
};

const apiKeyRevoked: ApiKeyRevoked = {
  ...header,
  keyId: 'key_01J9Z40B7C8D9E0F1G2H3J4K5M',
  revokedAt: '2025-04-02T08:15:00.000+02:00',
  revokedBy: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  reason: 'key leaked in a CI log',
};

const profileUpdated: ProfileUpdated = {
  ...header,
  userId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  changedFields: ['email', 'locale'],
  old: { email: 'ada@acme.example', locale: 'en-GB' },
  new: { email: 'ada.lovelace@acme.example', locale: 'fr-FR' },
  updatedAt: '2025-04-03T10:00:00.000Z',
};

const connectionNeedsReauth: ConnectionNeedsReauth = {
  ...header,
  userId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  connectionId: 'con_01J9Z44Q2R3S4T5U6V7W8X9Y0Z',
  provider: 'github',
  reason: 'refresh_failed',
  detectedAt: '2025-04-04T06:00:00.000Z',
};

const eventReceived: EventReceived = {
  ...header,
  eventId: 'evt_01J9Z45A1B2C3D4E5F6G7H8J9K',
  eventType: 'order.placed',
  source: 'shop.checkout',
  receivedAt: '2025-03-14T09:26:53.412Z',
  idempotencyKey: 'order-48151623',
  apiKeyId: 'key_01J9Z40B7C8D9E0F1G2H3J4K5M',
  payload: { orderId: '48151623', total: { amount: 4200, currency: 'EUR' }, items: [{ sku: 'A-1', qty: 2 }] },
};

const eventAcknowledged: EventAcknowledged = {
  ...header,
  eventId: 'evt_01J9Z45A1B2C3D4E5F6G7H8J9K',
  acknowledgedAt: '2025-03-14T09:26:53.500Z',
  apiKeyId: 'key_01J9Z40B7C8D9E0F1G2H3J4K5M',
};

const subscriptionChanged: SubscriptionChanged = {
  ...header,
  subscriptionId: 'sub_1PqRsTuVwXyZ012345',
  customerId: 'cus_QwErTyUiOp1234',
  old: { status: 'trialing', plan: 'free', quotas: { eventsPerMonth: 10_000, requestsPerSecond: 5 } },
  new: {
    status: 'active',
    plan: 'pro',
    quotas: {
      eventsPerMonth: 1_000_000,
      requestsPerSecond: 50,
      agentQueriesPerMonth: 2_000,
      webhookEndpoints: 25,
    },
    currentPeriodStart: '2025-03-14T00:00:00.000Z',
    currentPeriodEnd: '2025-04-14T00:00:00.000Z',
    entitled: true,
  },
  changedAt: '2025-03-14T10:00:00.000Z',
};

const messageExhausted: MessageExhausted = {
  ...header,
  subscriptionId: 'whs_01J9Z47M8N9P0Q1R2S3T4U5V6W',
  eventId: 'evt_01J9Z45A1B2C3D4E5F6G7H8J9K',
  webhookMessageId: 'whm_01J9Z48X1Y2Z3A4B5C6D7E8F9G',
  attempts: 8,
  lastError: { statusCode: 503, message: 'Service Unavailable' },
  exhaustedAt: '2025-03-15T09:26:53.000Z',
};

const endpointDisabled: EndpointDisabled = {
  ...header,
  subscriptionId: 'whs_01J9Z47M8N9P0Q1R2S3T4U5V6W',
  url: 'https://hooks.acme.example/switchyard',
  reason: 'gone',
  disabledAt: '2025-03-15T09:27:00.000Z',
};

const deliveryRequested: DeliveryRequested = {
  ...header,
  subscriptionId: 'whs_01J9Z47M8N9P0Q1R2S3T4U5V6W',
  eventId: 'evt_01J9Z45A1B2C3D4E5F6G7H8J9K',
  attempt: 3,
  notBefore: '2025-03-14T09:31:53.000Z',
  trigger: 'scheduled',
};

const busReplayed: BusReplayed = {
  ...header,
  tenantId: '_platform',
  busName: 'switchyard-prod-bus',
  archiveName: 'switchyard-prod-bus',
  since: '2025-03-14T08:00:00.000Z',
  until: '2025-03-14T09:00:00.000Z',
  detailType: 'EventReceived',
  rules: ['delivery-prod-onEventReceived'],
  replayName: 'switchyard-20250314T092600Z-a1b2c3',
  outcome: 'COMPLETED',
  eventsSelected: 1200,
  actor: 'arn:aws:sts::123456789012:assumed-role/oncall/ada',
  dryRun: false,
  replayId: 'busr_0f8e2a6c-1b3d-4e5f-8a9b-0c1d2e3f4a5b',
  startedAt: '2025-03-14T09:26:00.000Z',
  finishedAt: '2025-03-14T09:26:53.000Z',
};

const dlqReplayed: DlqReplayed = {
  ...header,
  tenantId: '_platform',
  dlqName: 'switchyard-prod-delivery-attempts-dlq',
  targetQueue: 'switchyard-prod-delivery-attempts',
  filter: {
    detailType: 'DeliveryRequested',
    sentAfter: '2025-03-14T00:00:00.000Z',
    maxMessages: 500,
    messageIds: ['0b5c7f5e-6a7e-4f0e-9a57-0d6c1a3f2b11'],
  },
  moved: 412,
  skipped: 3,
  failed: 1,
  actor: 'arn:aws:sts::123456789012:assumed-role/oncall/ada',
  dryRun: false,
  startedAt: '2025-03-14T11:00:00.000Z',
  finishedAt: '2025-03-14T11:00:42.000Z',
  replayId: 'rpl_01J9Z4B6C7D8E9F0G1H2J3K4M5',
  interrupted: false,
};

const agentQueryCompleted: AgentQueryCompleted = {
  ...header,
  queryId: 'qry_01J9Z3Y2B3C4D5E6F7G8H9J0K1',
  conversationId: 'cnv_01J9Z3Y2B3C4D5E6F7G8H9J0K2',
  userId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  model: 'anthropic.claude-3-5-haiku',
  inputTokens: 1_240,
  outputTokens: 310,
  toolCalls: 2,
  durationMs: 4_210,
  completedAt: '2025-03-14T10:05:00.000Z',
};

const usageThresholdReached: UsageThresholdReached = {
  ...header,
  metric: 'events',
  thresholdPercent: 80,
  used: 8_000,
  limit: 10_000,
  plan: 'free',
  periodStart: '2025-03-01T00:00:00.000Z',
  periodEnd: '2025-04-01T00:00:00.000Z',
  reachedAt: '2025-03-20T14:03:11.000Z',
};

const commentCreated: CommentCreated = {
  ...header,
  commentId: 'cmt_01J9Z3Z1A2B3C4D5E6F7G8H9J0',
  itemId: 'orders/2025/ord_8812',
  authorId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  authorDisplayName: 'Ada Lovelace',
  textPreview: 'Shipped from the Leeds warehouse this morning.',
  earlierCommenterIds: ['usr_01J9Z3X1A2B3C4D5E6F7G8H9J1'],
  createdAt: '2025-03-14T11:00:00.000Z',
};
const commentEdited: CommentEdited = {
  ...header,
  commentId: 'cmt_01J9Z3Z1A2B3C4D5E6F7G8H9J0',
  itemId: 'orders/2025/ord_8812',
  authorId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  textPreview: 'Shipped from the York warehouse this morning.',
  editedAt: '2025-03-14T11:02:00.000Z',
};
const commentDeleted: CommentDeleted = {
  ...header,
  commentId: 'cmt_01J9Z3Z1A2B3C4D5E6F7G8H9J0',
  itemId: 'orders/2025/ord_8812',
  authorId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  deletedBy: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J2',
  byAdmin: true,
  deletedAt: '2025-03-14T12:00:00.000Z',
};
const reactionAdded: ReactionAdded = {
  ...header,
  commentId: 'cmt_01J9Z3Z1A2B3C4D5E6F7G8H9J0',
  itemId: 'orders/2025/ord_8812',
  commentAuthorId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  reactorId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J1',
  type: 'celebrate',
  addedAt: '2025-03-14T11:05:00.000Z',
};
const reactionRemoved: ReactionRemoved = {
  ...header,
  commentId: 'cmt_01J9Z3Z1A2B3C4D5E6F7G8H9J0',
  itemId: 'orders/2025/ord_8812',
  commentAuthorId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  reactorId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J1',
  type: 'celebrate',
  removedAt: '2025-03-14T11:06:00.000Z',
};
const conversationCreated: ConversationCreated = {
  ...header,
  conversationId: 'dm_5f1c2a9e7b3d4c6a8e0f1a2b3c4d5e6f',
  kind: 'direct',
  participantIds: ['usr_01J9Z3X1A2B3C4D5E6F7G8H9J0', 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J1'],
  createdBy: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  createdAt: '2025-03-14T11:10:00.000Z',
};
const messageSent: MessageSent = {
  ...header,
  conversationId: 'dm_5f1c2a9e7b3d4c6a8e0f1a2b3c4d5e6f',
  messageId: 'msg_01J9Z3Z9A2B3C4D5E6F7G8H9J0',
  senderId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  senderDisplayName: 'Ada Lovelace',
  participantIds: ['usr_01J9Z3X1A2B3C4D5E6F7G8H9J0', 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J1'],
  textPreview: 'The invoice is attached.',
  attachmentCount: 1,
  sentAt: '2025-03-14T11:11:00.000Z',
};
const personActivityChanged: PersonActivityChanged = {
  ...header,
  userId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  commentCount: 12,
  lastActiveAt: '2025-03-14T11:11:00.000Z',
  countersVersion: 31,
};

const checkoutCompleted: CheckoutCompleted = {
  ...header,
  tenantId: '_platform',
  checkoutSessionId: 'cs_test_a1B2c3D4e5F6g7H8i9J0',
  customerId: 'cus_QwErTyUiOp1234',
  subscriptionId: 'sub_1PqRsTuVwXyZ012345',
  email: 'ada@acme.example',
  tenantName: 'Acme Logistics',
  completedAt: '2025-03-14T09:26:50.000Z',
};

const invoicePaymentFailed: InvoicePaymentFailed = {
  ...header,
  invoiceId: 'in_1PqRsTuVwXyZ0123AbCd',
  customerId: 'cus_QwErTyUiOp1234',
  subscriptionId: 'sub_1PqRsTuVwXyZ012345',
  amountDue: 4_900,
  currency: 'eur',
  hostedInvoiceUrl: 'https://invoice.stripe.com/i/acct_1AbC/test_YWNjdF8x',
  attemptCount: 1,
  nextPaymentAttempt: '2025-04-17T09:00:00.000Z',
  failedAt: '2025-04-14T09:00:12.000Z',
};

const invoicePaid: InvoicePaid = {
  ...header,
  invoiceId: 'in_1PqRsTuVwXyZ0123AbCd',
  customerId: 'cus_QwErTyUiOp1234',
  subscriptionId: 'sub_1PqRsTuVwXyZ012345',
  amountPaid: 4_900,
  currency: 'eur',
  hostedInvoiceUrl: 'https://invoice.stripe.com/i/acct_1AbC/test_YWNjdF8x',
  paidAt: '2025-04-17T09:00:40.000Z',
};

const checkoutLinked: CheckoutLinked = {
  ...header,
  checkoutSessionId: 'cs_test_a1B2c3D4e5F6g7H8i9J0',
  userId: 'usr_01J9Z3X1A2B3C4D5E6F7G8H9J0',
  reason: 'email_belongs_to_person',
  linkedAt: '2025-03-14T09:26:55.000Z',
};

export const samples: Record<string, Record<string, unknown>> = {
  'switchyard.identity/TenantCreated.v1': tenantCreated,
  'switchyard.identity/UserCreated.v1': userCreated,
  'switchyard.identity/UserUpdated.v1': userUpdated,
  'switchyard.identity/UserRemoved.v1': userRemoved,
  'switchyard.identity/ApiKeyCreated.v1': apiKeyCreated,
  'switchyard.identity/ApiKeyUpdated.v1': apiKeyUpdated,
  'switchyard.identity/ApiKeyRevoked.v1': apiKeyRevoked,
  'switchyard.identity/ProfileUpdated.v1': profileUpdated,
  'switchyard.identity/ConnectionNeedsReauth.v1': connectionNeedsReauth,
  'switchyard.ingest/EventReceived.v1': eventReceived,
  'switchyard.ingest/EventAcknowledged.v1': eventAcknowledged,
  'switchyard.billing/SubscriptionChanged.v1': subscriptionChanged,
  'switchyard.billing/UsageThresholdReached.v1': usageThresholdReached,
  'switchyard.billing/CheckoutCompleted.v1': checkoutCompleted,
  'switchyard.billing/InvoicePaid.v1': invoicePaid,
  'switchyard.billing/InvoicePaymentFailed.v1': invoicePaymentFailed,
  'switchyard.identity/CheckoutLinked.v1': checkoutLinked,
  'switchyard.delivery/MessageExhausted.v1': messageExhausted,
  'switchyard.delivery/EndpointDisabled.v1': endpointDisabled,
  'switchyard.delivery/DeliveryRequested.v1': deliveryRequested,
  'switchyard.ops/DlqReplayed.v1': dlqReplayed,
  'switchyard.ops/BusReplayed.v1': busReplayed,
  'switchyard.agent/AgentQueryCompleted.v1': agentQueryCompleted,
  'switchyard.activity/CommentCreated.v1': commentCreated,
  'switchyard.activity/CommentEdited.v1': commentEdited,
  'switchyard.activity/CommentDeleted.v1': commentDeleted,
  'switchyard.activity/ReactionAdded.v1': reactionAdded,
  'switchyard.activity/ReactionRemoved.v1': reactionRemoved,
  'switchyard.activity/ConversationCreated.v1': conversationCreated,
  'switchyard.activity/MessageSent.v1': messageSent,
  'switchyard.activity/PersonActivityChanged.v1': personActivityChanged,
};

export const eventReceivedSample = eventReceived;
