/**
 * The gates a question passes before any model is called: pure decisions over what the agent's
 * table holds (the caller's last question, the tenant's projected entitlement, its count this month).
 */

/** What the agent knows of a tenant's subscription, from billing's SubscriptionChanged. */
export interface Entitlement {
  entitled: boolean;
  plan: string;
  agentQueriesPerMonth: number;
  /** The plan's accepted events per month (absent until billing spoke). */
  eventsPerMonth?: number;
  /** Usage counts from here (the billing period's start); absent: the calendar month. */
  periodStart?: string;
  changedAt: string;
}

/** The free plan's agent allowance: a tenant billing never mentioned is on it. */
export const FREE_AGENT_QUERIES_PER_MONTH = 100;

export const freePlan = (): Entitlement => ({
  entitled: true,
  plan: 'free',
  agentQueriesPerMonth: FREE_AGENT_QUERIES_PER_MONTH,
  changedAt: '1970-01-01T00:00:00.000Z',
});

export type GateDecision =
  | { ok: true; period: string }
  | { ok: false; reason: 'inactive' }
  | { ok: false; reason: 'quota_exceeded'; limit: number };

/**
 * The key of the period a question counts in: the billing period's start when billing gave one
 * that has begun, else the calendar month (UTC).
 */
export function usagePeriod(entitlement: Entitlement, now: Date): string {
  if (entitlement.periodStart && Date.parse(entitlement.periodStart) <= now.getTime()) {
    return entitlement.periodStart.slice(0, 10);
  }
  return now.toISOString().slice(0, 7);
}

/** Whether the tenant may ask now, given its entitlement and the questions answered this period. */
export function decideEntitlement(entitlement: Entitlement, usedThisPeriod: number, now: Date): GateDecision {
  if (!entitlement.entitled) return { ok: false, reason: 'inactive' };
  if (usedThisPeriod >= entitlement.agentQueriesPerMonth) {
    return { ok: false, reason: 'quota_exceeded', limit: entitlement.agentQueriesPerMonth };
  }
  return { ok: true, period: usagePeriod(entitlement, now) };
}

/** Seconds left before the caller may ask again (0: now). */
export function cooldownRemaining(
  lastAskedAtMs: number | undefined,
  cooldownSeconds: number,
  nowMs: number,
): number {
  if (lastAskedAtMs === undefined) return 0;
  const left = lastAskedAtMs + cooldownSeconds * 1000 - nowMs;
  return left > 0 ? Math.ceil(left / 1000) : 0;
}
