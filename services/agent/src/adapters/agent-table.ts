/**
 * The key layout of `agent-<stage>` in one place (test/unit/adapters/agent-table.test.ts pins it).
 *
 *   COOLDOWN#<tenantId>#<ownerId> / COOLDOWN     when the caller last asked (TTL a minute)
 *   TENANT#<tenantId> / ENTITLEMENT              what billing's SubscriptionChanged said last
 *   TENANT#<tenantId> / USAGE#<period>           questions answered in a period (TTL ~13 months)
 *   CONVERSATIONS#<tenantId>#<ownerId> / CONV#<conversationId>   a conversation (TTL 30 days)
 *   EVENTS#<tenantId> / AT#<receivedAt>#<eventId> an event ingest received (TTL 35 days)
 *   EVENT#<tenantId>#<eventId> / EVENT          the same event, by id
 *   PROBLEMS#<tenantId> / AT#<at>#<id>          a webhook problem delivery reported (TTL 35 days)
 *   TENANT#<tenantId> / THRESHOLD#<periodStart>#<metric>#<percent>   a usage threshold billing reported
 *   KEY#<keyId> / KEY                           the API key projection (@switchyard/access)
 *   OUTBOX#<id> / OUTBOX, CONSUMER_FAILURE#<messageId> / …   the runtime's
 *
 * Every key of tenant data starts with the tenant id, taken from the caller's credential: no read
 * can name another tenant's items.
 */
export const agentKeys = {
  cooldown: (tenantId: string, ownerId: string) => ({
    pk: `COOLDOWN#${tenantId}#${ownerId}`,
    sk: 'COOLDOWN',
  }),
  entitlement: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'ENTITLEMENT' }),
  usage: (tenantId: string, period: string) => ({ pk: `TENANT#${tenantId}`, sk: `USAGE#${period}` }),
  conversations: (tenantId: string, ownerId: string) => `CONVERSATIONS#${tenantId}#${ownerId}`,
  conversation: (tenantId: string, ownerId: string, conversationId: string) => ({
    pk: `CONVERSATIONS#${tenantId}#${ownerId}`,
    sk: `CONV#${conversationId}`,
  }),
  events: (tenantId: string) => `EVENTS#${tenantId}`,
  eventAt: (tenantId: string, receivedAt: string, eventId: string) => ({
    pk: `EVENTS#${tenantId}`,
    sk: `AT#${receivedAt}#${eventId}`,
  }),
  event: (tenantId: string, eventId: string) => ({ pk: `EVENT#${tenantId}#${eventId}`, sk: 'EVENT' }),
  problems: (tenantId: string) => `PROBLEMS#${tenantId}`,
  problemAt: (tenantId: string, at: string, id: string) => ({
    pk: `PROBLEMS#${tenantId}`,
    sk: `AT#${at}#${id}`,
  }),
  threshold: (tenantId: string, periodStart: string, metric: string, percent: number) => ({
    pk: `TENANT#${tenantId}`,
    sk: `THRESHOLD#${periodStart}#${metric}#${percent}`,
  }),
};
