/**
 * Activity, billing, delivery and identity events (bus rules → `notifications-<stage>-triggers`) →
 * e-mails, each at most once per person (../app/notify.ts).
 */
import {
  CommentCreated,
  ConnectionNeedsReauth,
  EndpointDisabled,
  InvoicePaymentFailed,
  MessageExhausted,
  MessageSent,
  ReactionAdded,
  UsageThresholdReached,
} from '@switchyard/contracts';
import { createSqsConsumer } from '@switchyard/runtime';
import { notifyDeps } from '../app/deps';
import { notify } from '../app/notify';
import type { TriggeringEvent } from '../domain/notifications';

export const handler = createSqsConsumer({
  contract: [
    CommentCreated,
    ReactionAdded,
    MessageSent,
    UsageThresholdReached,
    InvoicePaymentFailed,
    EndpointDisabled,
    MessageExhausted,
    ConnectionNeedsReauth,
  ],
  handleMessage: async (message, { contract }) => {
    await notify({ type: contract.detailType, message } as TriggeringEvent, notifyDeps());
  },
});
