import Stripe from 'stripe';
import {
  checkoutSessionObject,
  invoiceObject,
  parseMetadata,
  signedWebhook,
  stripeEvent,
  subscriptionObject,
} from '../../../src/stripe/events';

const SECRET = 'whsec_test_secret';

describe('Stripe-shaped events', () => {
  it('are signed so that the stripe package verifies them, and not with another secret', () => {
    const event = stripeEvent({
      type: 'customer.subscription.created',
      object: subscriptionObject({ subscriptionId: 'sub_1', customerId: 'cus_1', status: 'active' }),
    });
    const { body, signature } = signedWebhook(event, SECRET);
    expect(Stripe.webhooks.constructEvent(body, signature, SECRET, 300).id).toBe(event.id);
    expect(() => Stripe.webhooks.constructEvent(body, signature, 'whsec_other', 300)).toThrow();
    const old = signedWebhook(event, SECRET, Math.floor(Date.now() / 1000) - 600);
    expect(() => Stripe.webhooks.constructEvent(old.body, old.signature, SECRET, 300)).toThrow(/tolerance/i);
  });

  it("carry Stripe's field names: period on the item, price lookup key and metadata, checkout and invoice links", () => {
    const subscription = subscriptionObject({
      subscriptionId: 'sub_1',
      customerId: 'cus_1',
      status: 'past_due',
      price: { lookupKey: 'pro_monthly', metadata: { events_per_month: '500' } },
      currentPeriodStart: 1_700_000_000,
    });
    expect(subscription.items.data[0]).toMatchObject({
      current_period_start: 1_700_000_000,
      price: { lookup_key: 'pro_monthly', metadata: { events_per_month: '500' } },
    });
    expect(
      checkoutSessionObject({
        sessionId: 'cs_1',
        customerId: 'cus_1',
        email: 'a@b.example',
        tenantName: 'Acme',
      }),
    ).toMatchObject({ customer_details: { email: 'a@b.example' }, metadata: { tenant_name: 'Acme' } });
    expect(invoiceObject({ customerId: 'cus_1', subscriptionId: 'sub_1', paid: false })).toMatchObject({
      parent: { subscription_details: { subscription: 'sub_1' } },
      amount_paid: 0,
      hosted_invoice_url: expect.stringMatching(/^https:\/\//),
    });
  });

  it('reads --price-metadata pairs, keeping = in values and refusing a pair without one', () => {
    expect(parseMetadata(['events_per_month=500', 'plan=a=b'])).toEqual({
      events_per_month: '500',
      plan: 'a=b',
    });
    expect(() => parseMetadata(['oops'])).toThrow(/key=value/);
  });
});
