/**
 * What each triggering event means for people: its category, who is told, and the words. Pure: the
 * recipients are named here (user ids or "the tenant's admins") and resolved against the projection
 * by the use case.
 */
import type {
  CommentCreated,
  ConnectionNeedsReauth,
  EndpointDisabled,
  InvoicePaymentFailed,
  MessageExhausted,
  MessageSent,
  ReactionAdded,
  UsageThresholdReached,
} from '@switchyard/contracts';
import type { Category } from './categories';

export type Audience = { kind: 'users'; userIds: string[] } | { kind: 'admins' };

/** One notification, before it is split per person. */
export interface Notification {
  /** The triggering event's id: each person gets at most one e-mail (or digest line) per event. */
  eventId: string;
  tenantId: string;
  category: Category;
  audience: Audience;
  /** Never told: the author of what is notified. */
  excludeUserId?: string;
  /** Gathered into a digest whatever the person chose for the category (unless off). */
  alwaysDigest?: boolean;
  /** The subject of an e-mail about this one notification. */
  subject: string;
  /** Its line in a digest, and the first line of its own e-mail. */
  headline: string;
  /** What was said (a comment's or message's preview), shown quoted. */
  detail?: string;
  /** Where to act (pay an invoice), shown as a link. */
  link?: string;
  /** What it is about (a comment's item), named in a digest's subject when every line shares it. */
  about?: string;
  at: string;
}

export type TriggeringEvent =
  | { type: 'CommentCreated'; message: CommentCreated }
  | { type: 'ReactionAdded'; message: ReactionAdded }
  | { type: 'MessageSent'; message: MessageSent }
  | { type: 'UsageThresholdReached'; message: UsageThresholdReached }
  | { type: 'InvoicePaymentFailed'; message: InvoicePaymentFailed }
  | { type: 'EndpointDisabled'; message: EndpointDisabled }
  | { type: 'MessageExhausted'; message: MessageExhausted }
  | { type: 'ConnectionNeedsReauth'; message: ConnectionNeedsReauth };

const METRIC_NAMES = { events: 'accepted events', agent_queries: 'agent queries' } as const;

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
}

export function notificationOf(event: TriggeringEvent): Notification {
  const base = { eventId: event.message.id, tenantId: event.message.tenantId };
  switch (event.type) {
    case 'CommentCreated': {
      const m = event.message;
      const who = m.authorDisplayName ?? 'Someone';
      return {
        ...base,
        category: 'comments',
        audience: { kind: 'users', userIds: m.earlierCommenterIds },
        excludeUserId: m.authorId,
        subject: `${who} commented on ${m.itemId}`,
        headline: `${who} commented on ${m.itemId}`,
        detail: m.textPreview,
        about: m.itemId,
        at: m.createdAt,
      };
    }
    case 'ReactionAdded': {
      const m = event.message;
      return {
        ...base,
        category: 'reactions',
        audience: { kind: 'users', userIds: [m.commentAuthorId] },
        excludeUserId: m.reactorId,
        subject: `Someone reacted (${m.type}) to your comment`,
        headline: `A ${m.type} reaction to your comment on ${m.itemId}`,
        about: m.itemId,
        at: m.addedAt,
      };
    }
    case 'MessageSent': {
      const m = event.message;
      const who = m.senderDisplayName ?? 'Someone';
      return {
        ...base,
        category: 'messages',
        audience: { kind: 'users', userIds: m.participantIds },
        excludeUserId: m.senderId,
        subject: `New message from ${who}`,
        headline: `${who} sent a message`,
        detail: m.textPreview,
        at: m.sentAt,
      };
    }
    case 'UsageThresholdReached': {
      const m = event.message;
      const what = METRIC_NAMES[m.metric];
      return {
        ...base,
        category: 'billing',
        audience: { kind: 'admins' },
        subject: `You have used ${m.thresholdPercent}% of your monthly ${what}`,
        headline: `${m.used} of ${m.limit} ${what} used on the ${m.plan} plan (${m.thresholdPercent}%)`,
        at: m.reachedAt,
      };
    }
    case 'InvoicePaymentFailed': {
      const m = event.message;
      return {
        ...base,
        category: 'billing',
        audience: { kind: 'admins' },
        subject: `A payment of ${money(m.amountDue, m.currency)} failed`,
        headline: m.nextPaymentAttempt
          ? `We could not collect ${money(m.amountDue, m.currency)}; we try again at ${m.nextPaymentAttempt}`
          : `We could not collect ${money(m.amountDue, m.currency)}`,
        ...(m.hostedInvoiceUrl ? { link: m.hostedInvoiceUrl } : {}),
        at: m.failedAt,
      };
    }
    case 'EndpointDisabled': {
      const m = event.message;
      return {
        ...base,
        category: 'webhooks',
        audience: { kind: 'admins' },
        subject: 'A webhook endpoint was disabled',
        headline: `Deliveries to ${m.url} stopped (${m.reason === 'gone' ? 'it answered 410 Gone' : 'it kept failing'})`,
        at: m.disabledAt,
      };
    }
    case 'MessageExhausted': {
      const m = event.message;
      const why = m.lastError.statusCode ? `HTTP ${m.lastError.statusCode}` : m.lastError.message;
      return {
        ...base,
        category: 'webhooks',
        audience: { kind: 'admins' },
        alwaysDigest: true,
        subject: 'A webhook message could not be delivered',
        headline: `Message ${m.webhookMessageId} of subscription ${m.subscriptionId} gave up after ${m.attempts} attempts (${why})`,
        at: m.exhaustedAt,
      };
    }
    case 'ConnectionNeedsReauth': {
      const m = event.message;
      return {
        ...base,
        category: 'account',
        audience: { kind: 'users', userIds: [m.userId] },
        subject: `Sign in to ${m.provider} again`,
        headline: `Your ${m.provider} connection stopped working; sign in to ${m.provider} again to restore it`,
        at: m.detectedAt,
      };
    }
  }
}

const DIGEST_NOUNS: Record<Category, string> = {
  comments: 'new comments',
  reactions: 'new reactions',
  messages: 'new messages',
  billing: 'billing notices',
  webhooks: 'webhook problems',
  reminders: 'reminders',
  account: 'account notices',
};

/** At most this many lines are listed in a digest; the rest are counted ("and N more"). */
export const DIGEST_LIST_LIMIT = 10;

export interface DigestLine {
  headline: string;
  detail?: string;
  about?: string;
  at: string;
}

export interface Digest {
  subject: string;
  lines: DigestLine[];
  more: number;
}

/**
 * The digest of what a window gathered: newest first, at most 10 listed plus "and N more". `count`
 * is how many were gathered (a window keeps only its first lines; the rest are counted). When
 * every kept line is about the same thing, the subject names it ("3 new comments on doc-1").
 */
export function digestOf(category: Category, gathered: DigestLine[], count = gathered.length): Digest {
  const newestFirst = [...gathered].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const total = Math.max(count, gathered.length);
  const lines = newestFirst.slice(0, DIGEST_LIST_LIMIT);
  const about = gathered[0]?.about;
  const shared = about !== undefined && gathered.every((line) => line.about === about);
  const subject = `${total} ${DIGEST_NOUNS[category]}${shared ? ` on ${about}` : ''}`;
  return { subject, lines, more: total - lines.length };
}
