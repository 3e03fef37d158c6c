/**
 * The agent's tools. Each reads the agent's own projections, scoped to the tenant bound here from
 * the caller's credential: the tenant is never a tool argument, so no prompt can name another one.
 * Inputs are validated by their zod schemas before `execute` runs.
 */
import { tool } from 'ai';
import { z } from 'zod';
import type { AgentStore, ProjectedEvent, WebhookProblem } from '../adapters/agent-store';
import { freePlan, usagePeriod } from '../domain/gates';

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
  store: Pick<
    AgentStore,
    | 'getEvent'
    | 'searchEvents'
    | 'searchWebhookProblems'
    | 'getEntitlement'
    | 'usedThisPeriod'
    | 'listThresholds'
  >,
  now: () => Date,
) {
  const decodeCursor = (cursor: string | undefined) =>
    cursor
      ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>)
      : undefined;
  const encodeCursor = (next: Record<string, unknown> | undefined) =>
    next ? { cursor: Buffer.from(JSON.stringify(next)).toString('base64url') } : {};
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
        let next = decodeCursor(cursor);
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
        return { events: found, ...encodeCursor(next) };
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
    webhook_problems: tool({
      description:
        "What went wrong delivering the tenant's webhooks in a time range (default the last 7 days), newest first: endpoints delivery disabled, and messages it gave up on after its last retry, with the type of the event that never got through. `byEventType` counts the messages given up on per event type. Paginated with `cursor`.",
      inputSchema: z.object({
        from: isoTime.optional(),
        to: isoTime.optional(),
        limit: z.number().int().min(1).max(50).default(20),
        cursor: z.string().max(2_000).optional(),
      }),
      execute: async ({ from, to, limit, cursor }) => {
        const page = await store.searchWebhookProblems(
          tenantId,
          defaultRange(from, to),
          limit,
          decodeCursor(cursor),
        );
        const problems: (WebhookProblem & { eventType?: string })[] = [];
        const byEventType: Record<string, number> = {};
        for (const problem of page.problems) {
          if (problem.kind !== 'message_exhausted' || !problem.eventId) {
            problems.push(problem);
            continue;
          }
          // The type comes from the agent's own copy of the tenant's events (same tenant key).
          const eventType = (await store.getEvent(tenantId, problem.eventId))?.eventType ?? 'unknown';
          byEventType[eventType] = (byEventType[eventType] ?? 0) + 1;
          problems.push({ ...problem, eventType });
        }
        return { problems, byEventType, ...encodeCursor(page.next) };
      },
    }),
    usage: tool({
      description:
        "The tenant's plan and usage: whether it is entitled, agent questions answered in this billing period against the plan's allowance, events allowed per month, and the usage thresholds (80 and 100 percent) billing reported this period.",
      inputSchema: z.object({}),
      execute: async () => {
        const entitlement = (await store.getEntitlement(tenantId)) ?? freePlan();
        const period = usagePeriod(entitlement, now());
        const used = await store.usedThisPeriod(tenantId, period);
        const thresholds = await store.listThresholds(tenantId, entitlement.periodStart ?? period);
        return {
          plan: entitlement.plan,
          entitled: entitlement.entitled,
          period,
          agentQueries: { used, limit: entitlement.agentQueriesPerMonth },
          ...(entitlement.eventsPerMonth !== undefined ? { eventsPerMonth: entitlement.eventsPerMonth } : {}),
          thresholdsReached: thresholds,
        };
      },
    }),
  };
}
