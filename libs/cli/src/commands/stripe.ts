/**
 * `switchyard stripe trigger <event>`: what Stripe's CLI does for a developer, without a Stripe
 * account: sends correctly signed, Stripe-shaped events (src/stripe/events.ts) to the local cloud's
 * billing webhook, so checkout → tenant → plan → 402 can be watched on one machine.
 *
 * - checkout.session.completed: a new customer (`--email`, and `--name` for the tenant) or an
 *   upgrade of `--tenant`; its subscription's `customer.subscription.created` goes first.
 * - customer.subscription.*, invoice.*: about the subscription billing holds for `--tenant` (read
 *   from billing's table in the local DynamoDB).
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { subscriptionStatus } from '@switchyard/contracts';
import type { Command } from 'commander';
import type Stripe from 'stripe';
import { CliError } from '../exit';
import {
  checkoutSessionObject,
  invoiceObject,
  parseMetadata,
  sendWebhook,
  stripeEvent,
  stripeId,
  subscriptionObject,
  TRIGGERABLE_EVENTS,
} from '../stripe/events';
import type { TriggerableEvent } from '../stripe/events';
import { resolveTarget, useLocalEndpoints } from '../target';
import type { LocalCloudFacts } from '../target';

interface TriggerOptions {
  tenant?: string;
  email?: string;
  name?: string;
  price: string;
  priceMetadata: string[];
  status?: string;
  json?: boolean;
}

const STATUSES: readonly string[] = subscriptionStatus.options;

export function registerStripe(program: Command, out: (text: string) => void): void {
  const stripe = program.command('stripe').description("Stripe on the local cloud, like Stripe's own CLI.");
  stripe
    .command('trigger')
    .description('Send a signed, Stripe-shaped event to the local billing webhook.')
    .argument('<event>', TRIGGERABLE_EVENTS.join(' | '))
    .option('--tenant <tenantId>', 'the tenant it is about (upgrade, or whose subscription changes)')
    .option('--email <email>', 'checkout.session.completed: the new customer (and first admin)')
    .option('--name <name>', "checkout.session.completed: the new tenant's name")
    .option('--price <lookupKey>', "the price's lookup_key (plans.json)", 'pro_monthly')
    .option(
      '--price-metadata <key=value>',
      'a price metadata entry (e.g. events_per_month=500); repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--status <status>', `customer.subscription.*: the status (${STATUSES.join(', ')})`)
    .option('--json', 'print JSON only (for scripts)')
    .action(async (type: string, options: TriggerOptions) => {
      if (!(TRIGGERABLE_EVENTS as readonly string[]).includes(type)) {
        throw new CliError(`unknown event ${type}; one of: ${TRIGGERABLE_EVENTS.join(', ')}`);
      }
      if (options.status && !STATUSES.includes(options.status)) {
        throw new CliError(`--status must be one of ${STATUSES.join(', ')}`);
      }
      const target = resolveTarget({});
      if (target.kind !== 'local') return;
      const secret = target.info.stripeWebhookSecret;
      if (!secret || !target.info.services.includes('billing')) {
        throw new CliError('the local cloud runs no billing service (no Stripe webhook secret in dev.json)');
      }
      let metadata: Record<string, string>;
      try {
        metadata = parseMetadata(options.priceMetadata);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      const events = await buildEvents(type as TriggerableEvent, options, metadata, target.info);
      const sent = [];
      for (const event of events) {
        const answer = await sendWebhook(target.info.apiUrl, event, secret);
        sent.push({ id: event.id, type: event.type, status: answer.status, answer: answer.body });
        if (answer.status !== 200) {
          throw new CliError(
            `billing answered ${answer.status} to ${event.type}: ${JSON.stringify(answer.body)}`,
          );
        }
      }
      if (options.json) {
        out(`${JSON.stringify({ sent }, null, 2)}\n`);
        return;
      }
      for (const s of sent) {
        out(
          `${s.type.padEnd(32)} ${s.id}  ${s.status} ${(s.answer as { outcome?: string }).outcome ?? ''}\n`,
        );
      }
      const [first] = events;
      if (type === 'checkout.session.completed' && !options.tenant && first) {
        out(
          `\nIdentity creates the tenant for ${options.email} in a moment; sign in with\n` +
            `  curl -s -X POST ${target.info.apiUrl}/auth/login -H 'Content-Type: application/json' -d '{"email":"${options.email}"}'\n` +
            `and read the code at ${target.info.mailboxUrl}\n`,
        );
      }
    });
}

type Built = ReturnType<typeof stripeEvent>;

async function buildEvents(
  type: TriggerableEvent,
  options: TriggerOptions,
  metadata: Record<string, string>,
  info: LocalCloudFacts,
): Promise<Built[]> {
  const price = { lookupKey: options.price, metadata };
  if (type === 'checkout.session.completed') {
    if (!options.email && !options.tenant)
      throw new CliError('checkout.session.completed needs --email or --tenant');
    const customerId = stripeId('cus');
    const subscriptionId = stripeId('sub');
    const subscription = subscriptionObject({ subscriptionId, customerId, status: 'active', price });
    const session = checkoutSessionObject({
      sessionId: stripeId('cs_test'),
      customerId,
      subscriptionId,
      ...(options.email ? { email: options.email } : {}),
      ...(options.name ? { tenantName: options.name } : {}),
      ...(options.tenant ? { clientReferenceId: options.tenant } : {}),
    });
    return [
      stripeEvent({ type: 'customer.subscription.created', object: subscription }),
      stripeEvent({ type, object: session }),
    ];
  }
  if (!options.tenant)
    throw new CliError(`${type} needs --tenant (the tenant whose subscription it is about)`);
  const held = await tenantSubscription(info, options.tenant);
  if (type.startsWith('customer.subscription.')) {
    const defaultStatus = type === 'customer.subscription.deleted' ? 'canceled' : 'active';
    const status = (options.status ?? defaultStatus) as Stripe.Subscription.Status;
    return [
      stripeEvent({
        type,
        object: subscriptionObject({
          subscriptionId: held.subscriptionId,
          customerId: held.customerId,
          status,
          price,
          // The subscription keeps its billing period, as Stripe's does.
          ...(held.currentPeriodStart ? { currentPeriodStart: held.currentPeriodStart } : {}),
          ...(held.currentPeriodEnd ? { currentPeriodEnd: held.currentPeriodEnd } : {}),
        }),
      }),
    ];
  }
  return [
    stripeEvent({
      type,
      object: invoiceObject({
        customerId: held.customerId,
        subscriptionId: held.subscriptionId,
        paid: type === 'invoice.paid',
      }),
    }),
  ];
}

/** The subscription and customer billing holds for a tenant (its table in the local DynamoDB). */
async function tenantSubscription(
  info: LocalCloudFacts,
  tenantId: string,
): Promise<{
  subscriptionId: string;
  customerId: string;
  currentPeriodStart?: number;
  currentPeriodEnd?: number;
}> {
  useLocalEndpoints({ kind: 'local', stage: 'local', region: info.region, devJson: '', info });
  const client = new DynamoDBClient({});
  try {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: `billing-${info.stage ?? 'local'}`,
        Key: { pk: { S: `TENANT#${tenantId}` }, sk: { S: 'BILLING' } },
        ConsistentRead: true,
      }),
    );
    const record = Item ? unmarshall(Item) : undefined;
    if (!record?.subscriptionId || !record.customerId) {
      throw new CliError(
        `billing holds no subscription for ${tenantId}: trigger checkout.session.completed --tenant ${tenantId} first`,
      );
    }
    const seconds = (iso: unknown) =>
      typeof iso === 'string' ? Math.floor(Date.parse(iso) / 1000) : undefined;
    const state = record.state as { currentPeriodStart?: string; currentPeriodEnd?: string } | undefined;
    const start = seconds(state?.currentPeriodStart);
    const end = seconds(state?.currentPeriodEnd);
    return {
      subscriptionId: String(record.subscriptionId),
      customerId: String(record.customerId),
      ...(start ? { currentPeriodStart: start } : {}),
      ...(end ? { currentPeriodEnd: end } : {}),
    };
  } finally {
    client.destroy();
  }
}
