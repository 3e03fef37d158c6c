import { randomBytes } from 'node:crypto';
import { createHttpHandler, jsonResponse, validationFailed } from '@switchyard/runtime';
import type { CreatedSubscriptionResponse } from '../api-schemas';
import { createSubscriptionRequestSchema } from '../api-schemas';
import { apiEndpointPolicy } from '../api-config';
import { subscribableUrlProblem } from '../domain/endpoint-check';
import { apiStore } from '../adapters/api-store';
import { authenticateAdmin } from '../adapters/caller';
import { newSubscription, toCreatedSubscriptionView } from '../domain/subscriptions';

/** POST /subscriptions: subscribes an endpoint; the answer carries its signing secret, this once. */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  body: createSubscriptionRequestSchema,
  maxBodyBytes: 64 * 1024,
  handler: async ({ caller, body, logger }) => {
    const urlProblem = subscribableUrlProblem(body.url, apiEndpointPolicy());
    if (urlProblem) throw validationFailed([{ path: 'url', message: `url ${urlProblem}` }]);
    const subscription = newSubscription(
      {
        tenantId: caller.tenantId,
        url: body.url,
        eventTypes: body.event_types,
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
        ...(body.rate_limit_per_second === undefined
          ? {}
          : { rateLimitPerSecond: body.rate_limit_per_second }),
      },
      new Date(),
      randomBytes,
    );
    await apiStore().createSubscription(subscription);
    logger.info('subscription_created', {
      subscriptionId: subscription.subscriptionId,
      actorId: caller.actorId,
    });
    const view: CreatedSubscriptionResponse = toCreatedSubscriptionView(subscription);
    return jsonResponse(201, view, { Location: `/subscriptions/${subscription.subscriptionId}` });
  },
});
