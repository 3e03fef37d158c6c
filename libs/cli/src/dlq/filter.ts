/**
 * Which DLQ messages a replay selects (pure). `--filter key=value`, repeatable; every given key must
 * match (AND), several ids in one key match any of them (OR):
 *
 *   detail-type=ApiKeyCreated   source=switchyard.identity   tenant=ten_01...
 *   after=2025-03-14T10:00:00Z  before=2025-03-14T11:00Z     after=2h  (relative: 30s, 15m, 2h, 1d ago)
 *   id=<SQS message id or message header id>[,<id>...]
 *
 * Times compare with when the message was first sent to its source queue (SQS's SentTimestamp, kept
 * through the redrive): `after` is inclusive, `before` exclusive.
 */
import type { DlqFilter } from '@switchyard/contracts';
import type { DecodedMessage } from './decode';

/** The same fields as DlqReplayed's `filter` (without maxMessages, which is `--max`). */
export type ReplayFilter = Omit<DlqFilter, 'maxMessages'>;

export class FilterError extends Error {}

const KEYS: Record<string, keyof ReplayFilter> = {
  'detail-type': 'detailType',
  detailtype: 'detailType',
  type: 'detailType',
  source: 'source',
  tenant: 'tenantId',
  'tenant-id': 'tenantId',
  tenantid: 'tenantId',
  after: 'sentAfter',
  since: 'sentAfter',
  'sent-after': 'sentAfter',
  before: 'sentBefore',
  until: 'sentBefore',
  'sent-before': 'sentBefore',
  id: 'messageIds',
  ids: 'messageIds',
  'message-id': 'messageIds',
};

const RELATIVE = /^(\d+)\s*(s|m|h|d)$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** ISO 8601 with a date, and an offset or Z when it has a time. */
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

export function parseTime(value: string, now: Date, key: string): string {
  const relative = RELATIVE.exec(value.trim());
  if (relative)
    return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!).toISOString();
  if (!ISO.test(value.trim()) || Number.isNaN(Date.parse(value))) {
    throw new FilterError(
      `${key}=${value}: not a time; use ISO 8601 with a zone (2025-03-14T10:00:00Z) or an age (30m, 2h, 1d)`,
    );
  }
  return new Date(value).toISOString();
}

export function parseFilters(expressions: string[], now: Date = new Date()): ReplayFilter {
  const filter: ReplayFilter = {};
  for (const expression of expressions) {
    const eq = expression.indexOf('=');
    if (eq <= 0 || eq === expression.length - 1) {
      throw new FilterError(
        `--filter ${expression}: expected key=value (keys: ${[...new Set(Object.keys(KEYS))].join(', ')})`,
      );
    }
    const rawKey = expression.slice(0, eq).trim().toLowerCase();
    const value = expression.slice(eq + 1).trim();
    const key = KEYS[rawKey];
    if (!key) {
      throw new FilterError(
        `--filter ${expression}: unknown key "${rawKey}" (detail-type, source, tenant, after, before, id)`,
      );
    }
    if (key === 'messageIds') {
      const ids = value
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      if (ids.some((id) => id.length > 128))
        throw new FilterError(`--filter ${expression}: ids are at most 128 characters`);
      filter.messageIds = [...new Set([...(filter.messageIds ?? []), ...ids])];
      if (filter.messageIds.length > 100)
        throw new FilterError('--filter id=...: at most 100 ids per replay');
      continue;
    }
    if (filter[key] !== undefined) throw new FilterError(`--filter ${rawKey} is given twice`);
    if (key === 'sentAfter' || key === 'sentBefore') filter[key] = parseTime(value, now, rawKey);
    else filter[key] = value;
  }
  if (filter.sentAfter && filter.sentBefore && filter.sentAfter >= filter.sentBefore) {
    throw new FilterError(`--filter after=${filter.sentAfter} is not before before=${filter.sentBefore}`);
  }
  return filter;
}

export function isEmptyFilter(filter: ReplayFilter): boolean {
  return Object.values(filter).every((value) => value === undefined);
}

export function matches(message: DecodedMessage, filter: ReplayFilter): boolean {
  if (filter.source !== undefined && message.source !== filter.source) return false;
  if (filter.detailType !== undefined && message.detailType !== filter.detailType) return false;
  if (filter.tenantId !== undefined && message.tenantId !== filter.tenantId) return false;
  if (filter.sentAfter !== undefined && (!message.sentAt || message.sentAt < filter.sentAfter)) return false;
  if (filter.sentBefore !== undefined && (!message.sentAt || message.sentAt >= filter.sentBefore))
    return false;
  if (filter.messageIds !== undefined) {
    const ids = new Set(filter.messageIds);
    if (!ids.has(message.messageId) && !(message.eventId && ids.has(message.eventId))) return false;
  }
  return true;
}

/** `detail-type=ApiKeyCreated tenant=ten_1` (or `everything`), for summaries. */
export function describeFilter(filter: ReplayFilter): string {
  const parts: string[] = [];
  if (filter.source) parts.push(`source=${filter.source}`);
  if (filter.detailType) parts.push(`detail-type=${filter.detailType}`);
  if (filter.tenantId) parts.push(`tenant=${filter.tenantId}`);
  if (filter.sentAfter) parts.push(`after=${filter.sentAfter}`);
  if (filter.sentBefore) parts.push(`before=${filter.sentBefore}`);
  if (filter.messageIds) parts.push(`id=${filter.messageIds.join(',')}`);
  return parts.length ? parts.join(' ') : 'every message';
}
