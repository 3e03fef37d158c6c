/**
 * The agent's tools. Each reads the agent's own projections, scoped to the tenant bound here from
 * the caller's credential: the tenant is never a tool argument, so no prompt can name another one.
 * Inputs are validated by their zod schemas before `execute` runs.
 */
import { tool } from 'ai';
import { z } from 'zod';
import type { AgentStore, ProjectedEvent } from '../adapters/agent-store';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_STATS_EVENTS = 1_000;

const isoTime = z.iso.datetime({ offset: true });

function matchesText(event: ProjectedEvent, text: string | undefined): boolean {
  if (!text) return true;
  return JSON.stringify(event.payload ?? {})
    .toLowerCase()
    .includes(text.toLowerCase());
}

export function agentTools(
  tenantId: string,
  store: Pick<AgentStore, 'getEvent' | 'searchEvents'>,
  now: () => Date,
) {
  const defaultRange = (from?: string, to?: string) => ({
    from: from ?? new Date(now().getTime() - 7 * DAY_MS).toISOString(),
    // The upper bound is exclusive of nothing: `~` sorts after every id suffix.
    to: `${to ?? now().toISOString()}~`,
  });
  return {
    search_events: tool({
      description:
        "Search the tenant's received events, newest first: by event type, time range (ISO 8601, default the last 7 days) and text in the payload. Paginated with `cursor`.",
      inputSchema: z.object({
        eventType: z.string().min(1).max(255).optional(),
        from: isoTime.optional(),
        to: isoTime.optional(),
        text: z.string().min(1).max(200).optional(),
        limit: z.number().int().min(1).max(50).default(10),
        cursor: z.string().max(2_000).optional(),
      }),
      execute: async ({ eventType, from, to, text, limit, cursor }) => {
        const range = defaultRange(from, to);
        const found: ProjectedEvent[] = [];
        let next = cursor
          ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>)
          : undefined;
        // Filters apply after the read: read pages until enough match or the range ends (bounded).
        for (let pages = 0; pages < 10 && found.length < limit; pages++) {
          const page = await store.searchEvents(tenantId, range, 100, next);
          for (const event of page.events) {
            if ((eventType && event.eventType !== eventType) || !matchesText(event, text)) continue;
            if (found.length < limit) found.push(event);
          }
          next = page.next;
          if (!next) break;
        }
        return {
          events: found,
          ...(next ? { cursor: Buffer.from(JSON.stringify(next)).toString('base64url') } : {}),
        };
      },
    }),
    get_event: tool({
      description: "One of the tenant's received events by its id, with its payload.",
      inputSchema: z.object({ eventId: z.string().min(1).max(128) }),
      execute: async ({ eventId }) => ({ event: (await store.getEvent(tenantId, eventId)) ?? null }),
    }),
    event_stats: tool({
      description:
        "Counts of the tenant's received events by type per hour or per day in a time range (default the last 7 days).",
      inputSchema: z.object({
        bucket: z.enum(['hour', 'day']).default('day'),
        from: isoTime.optional(),
        to: isoTime.optional(),
      }),
      execute: async ({ bucket, from, to }) => {
        const range = defaultRange(from, to);
        const counts = new Map<string, number>();
        let next: Record<string, unknown> | undefined;
        let seen = 0;
        do {
          const page = await store.searchEvents(tenantId, range, 200, next);
          for (const event of page.events) {
            const key = `${event.receivedAt.slice(0, bucket === 'hour' ? 13 : 10)}|${event.eventType}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
          seen += page.events.length;
          next = page.next;
        } while (next && seen < MAX_STATS_EVENTS);
        const buckets = [...counts.entries()]
          .map(([key, count]) => {
            const [b = '', eventType = ''] = key.split('|');
            return { bucket: b, eventType, count };
          })
          .sort((a, b) => a.bucket.localeCompare(b.bucket) || a.eventType.localeCompare(b.eventType));
        return { buckets, truncated: Boolean(next) };
      },
    }),
  };
}
