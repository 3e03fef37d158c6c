import { createHttpHandler, jsonResponse, notFound, validationFailed } from '@switchyard/runtime';
import { subscriptionIdPathSchema, updateSubscriptionRequestSchema } from '../api-schemas';
import { apiEndpointPolicy } from '../api-config';
import { subscribableUrlProblem } from '../domain/endpoint-check';
import { apiStore } from '../adapters/api-store';
import { authenticateAdmin } from '../adapters/caller';
import { planSubscriptionUpdate, toSubscriptionView, visibleToTenant } from '../domain/subscriptions';

/**
 * PATCH /subscriptions/{id}: url, event types, description, rate limit, enabled. One UpdateItem of
 * the attributes that change (the engine writes the health attributes of the same item);
 * re-enabling clears the disabled reason and the failure window.
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  body: updateSubscriptionRequestSchema,
  maxBodyBytes: 64 * 1024,
  handler: async ({ caller, path, body, logger }) => {
    if (body.url !== undefined) {
      const urlProblem = subscribableUrlProblem(body.url, apiEndpointPolicy());
      if (urlProblem) throw validationFailed([{ path: 'url', message: `url ${urlProblem}` }]);
    }
    const store = apiStore();
    const current = visibleToTenant(await store.getSubscription(caller.tenantId, path.id), caller.tenantId);
    if (!current) throw notFound('No such subscription');
    const changes = planSubscriptionUpdate(
      current,
      {
        ...(body.url === undefined ? {} : { url: body.url }),
        ...(body.event_types === undefined ? {} : { eventTypes: body.event_types }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
        ...(body.rate_limit_per_second === undefined
          ? {}
          : { rateLimitPerSecond: body.rate_limit_per_second }),
      },
      new Date(),
    );
    const updated = await store.updateSubscription(caller.tenantId, path.id, changes);
    if (!updated) throw notFound('No such subscription');
    logger.info('subscription_updated', {
      subscriptionId: path.id,
      actorId: caller.actorId,
      fields: Object.keys(body),
    });
    return jsonResponse(200, toSubscriptionView(updated));
  },
});
