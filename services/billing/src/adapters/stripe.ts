/**
 * Stripe, through the official SDK: webhook signatures (`stripe.webhooks.constructEventAsync`, over
 * the raw body, 5-minute tolerance) and the API calls of the tenant's view (Checkout and the customer
 * portal). Secrets come from Secrets Manager by name on AWS (cached for 5 minutes, so a rotated secret
 * is picked up without a deploy); the local cloud passes them in its environment instead. The API's
 * host, port and protocol are configurable so tests run the SDK against an HTTP fake of their own.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import Stripe from 'stripe';
import { config } from '../config';

/** Stripe's own default, stated: a signature older than this is refused (replays). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
const SECRET_CACHE_MS = 5 * 60 * 1000;

let secretsManager: SecretsManagerClient | undefined;
const cache = new Map<string, { value: string; atMs: number }>();

async function secretValue(secretId: string): Promise<string> {
  const hit = cache.get(secretId);
  if (hit && Date.now() - hit.atMs < SECRET_CACHE_MS) return hit.value;
  secretsManager ??= new SecretsManagerClient({ retryMode: 'standard' });
  const { SecretString } = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error(`secret ${secretId} has no string value`);
  cache.set(secretId, { value: SecretString, atMs: Date.now() });
  return SecretString;
}

export async function webhookSecret(): Promise<string> {
  const c = config();
  return c.STRIPE_WEBHOOK_SECRET ?? secretValue(c.STRIPE_WEBHOOK_SECRET_ID);
}

/** The event body, or throws Stripe's StripeSignatureVerificationError. */
export async function verifyStripeWebhook(payload: Buffer, signature: string | undefined): Promise<unknown> {
  if (!signature) throw new Error('no Stripe-Signature header');
  return Stripe.webhooks.constructEventAsync(
    payload,
    signature,
    await webhookSecret(),
    SIGNATURE_TOLERANCE_SECONDS,
  );
}

/** Thrown when no Stripe API key is configured (locally without STRIPE_SECRET_KEY). */
export class StripeNotConfiguredError extends Error {}

let client: { key: string; stripe: Stripe } | undefined;

export async function stripeClient(): Promise<Stripe> {
  const c = config();
  let key = c.STRIPE_SECRET_KEY;
  if (!key) {
    if (c.STAGE === 'local') throw new StripeNotConfiguredError('STRIPE_SECRET_KEY is not set');
    key = await secretValue(c.STRIPE_SECRET_KEY_ID);
  }
  if (client?.key !== key) {
    client = {
      key,
      stripe: new Stripe(key, {
        ...(c.STRIPE_API_HOST ? { host: c.STRIPE_API_HOST } : {}),
        ...(c.STRIPE_API_PORT ? { port: c.STRIPE_API_PORT } : {}),
        ...(c.STRIPE_API_PROTOCOL ? { protocol: c.STRIPE_API_PROTOCOL } : {}),
        maxNetworkRetries: 2,
        timeout: 10_000,
      }),
    };
  }
  return client.stripe;
}

export interface CheckoutSessionInput {
  tenantId: string;
  customerId?: string;
  priceLookupKey: string;
}

/** What the tenant's view needs from Stripe, behind one small port the use cases take. */
export interface StripeGateway {
  /** The price with this lookup key, or undefined when Stripe has none active. */
  priceIdByLookupKey(lookupKey: string): Promise<string | undefined>;
  createCheckoutSession(
    input: CheckoutSessionInput & { priceId: string },
  ): Promise<{ id: string; url: string }>;
  createPortalSession(customerId: string): Promise<{ url: string }>;
}

export function stripeGateway(): StripeGateway {
  return {
    async priceIdByLookupKey(lookupKey) {
      const stripe = await stripeClient();
      const prices = await stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 });
      return prices.data[0]?.id;
    },
    async createCheckoutSession({ tenantId, customerId, priceId }) {
      const stripe = await stripeClient();
      const c = config();
      const session = await stripe.checkout.sessions.create({
        mode: 'subscription',
        line_items: [{ price: priceId, quantity: 1 }],
        // Billing links the checkout to this tenant when it completes (not to a new one).
        client_reference_id: tenantId,
        ...(customerId ? { customer: customerId } : {}),
        success_url: c.CHECKOUT_SUCCESS_URL,
        cancel_url: c.CHECKOUT_CANCEL_URL,
      });
      if (!session.url) throw new Error('Stripe returned a checkout session without a url');
      return { id: session.id, url: session.url };
    },
    async createPortalSession(customerId) {
      const stripe = await stripeClient();
      const session = await stripe.billingPortal.sessions.create({
        customer: customerId,
        return_url: config().PORTAL_RETURN_URL,
      });
      return { url: session.url };
    },
  };
}
