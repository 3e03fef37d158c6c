import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import type { CreatedSubscriptionResponse } from '../api-schemas';
import { createSubscriptionRequestSchema } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { createSubscription, subscriptionDeps } from '../app/subscriptions';
import { toCreatedSubscriptionView } from '../domain/subscriptions';

/** POST /subscriptions: subscribes an endpoint; the answer carries its signing secret, this once. */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  body: createSubscriptionRequestSchema,
  maxBodyBytes: 64 * 1024,
  handler: async ({ caller, body }) => {
    const subscription = await createSubscription(caller, body, subscriptionDeps());
    const view: CreatedSubscriptionResponse = toCreatedSubscriptionView(subscription);
    return jsonResponse(201, view, { Location: `/subscriptions/${subscription.subscriptionId}` });
  },
});
