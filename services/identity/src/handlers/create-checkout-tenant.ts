/**
 * billing's CheckoutCompleted (bus rule → `identity-<stage>-checkouts`): the checkout's tenant and its
 * first admin, once per checkout session (../app/checkouts.ts).
 */
import { CheckoutCompleted } from '@switchyard/contracts';
import { createSqsConsumer, logger } from '@switchyard/runtime';
import { createCheckoutStore } from '../adapters/checkout-store';
import { checkoutDeps, createTenantForCheckout } from '../app/checkouts';
import { identityDeps, signInDeps } from '../app/deps';
import { config } from '../config';

export const handler = createSqsConsumer({
  contract: CheckoutCompleted,
  handleMessage: async (message) => {
    const deps = checkoutDeps(identityDeps(), signInDeps(), createCheckoutStore(config().TABLE_NAME));
    const outcome = await createTenantForCheckout(message, deps);
    logger.info('checkout_tenant', { checkoutSessionId: message.checkoutSessionId, ...outcome });
  },
});
