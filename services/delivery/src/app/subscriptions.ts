/**
 * What the subscription routes do: a tenant admin creates, reads, lists, changes, deletes a
 * subscription and rotates its signing secret. The rules are the domain's
 * (../domain/subscriptions.ts); the store writes only the attributes a step changes (the engine
 * writes the health attributes of the same item). A tenant sees only its own subscriptions: another
 * tenant's is a 404 like one that does not exist.
 */
import { randomBytes } from 'node:crypto';
import { logger, notFound, validationFailed } from '@switchyard/runtime';
import { apiEndpointPolicy } from '../api-config';
import type { CreateSubscriptionRequest, PageQuery, UpdateSubscriptionRequest } from '../api-schemas';
import type { ApiStore, Page } from '../adapters/api-store';
import { apiStore } from '../adapters/api-store';
import type { TenantAdmin } from '../adapters/caller';
import type { EndpointPolicy } from '../domain/address-safety';
import { subscribableUrlProblem } from '../domain/endpoint-check';
import type { SigningSecret, Subscription } from '../domain/model';
import type { RandomBytes } from '../domain/subscriptions';
import {
  newSigningSecret,
  newSubscription,
  planSubscriptionUpdate,
  visibleToTenant,
} from '../domain/subscriptions';

export type Caller = Pick<TenantAdmin, 'tenantId' | 'actorId'>;

export interface SubscriptionDeps {
  store: Pick<
    ApiStore,
    | 'createSubscription'
    | 'getSubscription'
    | 'listSubscriptions'
    | 'updateSubscription'
    | 'deleteSubscription'
    | 'rotateSecret'
  >;
  /** The stage's endpoint rules, read when a URL is checked. */
  endpointPolicy: () => EndpointPolicy;
  now: () => Date;
  randomBytes: RandomBytes;
}

/** The real store, the stage's endpoint rules, the clock and crypto's random bytes. */
export function subscriptionDeps(): SubscriptionDeps {
  return { store: apiStore(), endpointPolicy: apiEndpointPolicy, now: () => new Date(), randomBytes };
}

/** The caller's tenant's subscription `subscriptionId`; 404 when there is none for that tenant. */
export async function findSubscription(
  store: Pick<ApiStore, 'getSubscription'>,
  tenantId: string,
  subscriptionId: string,
): Promise<Subscription> {
  const subscription = visibleToTenant(await store.getSubscription(tenantId, subscriptionId), tenantId);
  if (!subscription) throw notFound('No such subscription');
  return subscription;
}

/** POST /subscriptions: a new subscription with a fresh signing secret. */
export async function createSubscription(
  caller: Caller,
  request: CreateSubscriptionRequest,
  deps: SubscriptionDeps,
): Promise<Subscription> {
  refuseUnsubscribableUrl(request.url, deps);
  const subscription = newSubscription(
    { tenantId: caller.tenantId, ...subscriptionFields(request) },
    deps.now(),
    deps.randomBytes,
  );
  await deps.store.createSubscription(subscription);
  logger.info('subscription_created', {
    subscriptionId: subscription.subscriptionId,
    actorId: caller.actorId,
  });
  return subscription;
}

/** GET /subscriptions/{id}. */
export function getSubscription(
  caller: Caller,
  subscriptionId: string,
  deps: Pick<SubscriptionDeps, 'store'>,
): Promise<Subscription> {
  return findSubscription(deps.store, caller.tenantId, subscriptionId);
}

/** GET /subscriptions: oldest first (ids are ULIDs). */
export function listSubscriptions(
  caller: Caller,
  query: PageQuery,
  deps: Pick<SubscriptionDeps, 'store'>,
): Promise<Page<Subscription>> {
  return deps.store.listSubscriptions(caller.tenantId, query);
}

/** PATCH /subscriptions/{id}: one UpdateItem of the attributes that change. */
export async function updateSubscription(
  caller: Caller,
  subscriptionId: string,
  request: UpdateSubscriptionRequest,
  deps: SubscriptionDeps,
): Promise<Subscription> {
  if (request.url !== undefined) refuseUnsubscribableUrl(request.url, deps);
  const current = await findSubscription(deps.store, caller.tenantId, subscriptionId);
  const changes = planSubscriptionUpdate(current, subscriptionFields(request), deps.now());
  const updated = await deps.store.updateSubscription(caller.tenantId, subscriptionId, changes);
  if (!updated) throw notFound('No such subscription');
  logger.info('subscription_updated', {
    subscriptionId,
    actorId: caller.actorId,
    fields: Object.keys(request),
  });
  return updated;
}

/** DELETE /subscriptions/{id}: messages still waiting are cancelled by the engine when their turn comes. */
export async function deleteSubscription(
  caller: Caller,
  subscriptionId: string,
  deps: Pick<SubscriptionDeps, 'store'>,
): Promise<void> {
  if (!(await deps.store.deleteSubscription(caller.tenantId, subscriptionId)))
    throw notFound('No such subscription');
  logger.info('subscription_deleted', { subscriptionId, actorId: caller.actorId });
}

/** POST /subscriptions/{id}/rotate-secret: the new secret first, the previous ones signing for 24 h. */
export async function rotateSecret(
  caller: Caller,
  subscriptionId: string,
  deps: SubscriptionDeps,
): Promise<SigningSecret[]> {
  const secrets = await deps.store.rotateSecret(
    caller.tenantId,
    subscriptionId,
    newSigningSecret(deps.randomBytes),
    deps.now(),
  );
  if (!secrets) throw notFound('No such subscription');
  logger.info('secret_rotated', { subscriptionId, actorId: caller.actorId, secrets: secrets.length });
  return secrets;
}

/** A URL this stage does not accept is a 400 on `url` (syntax, scheme, or an address written as an IP). */
function refuseUnsubscribableUrl(url: string, deps: Pick<SubscriptionDeps, 'endpointPolicy'>): void {
  const problem = subscribableUrlProblem(url, deps.endpointPolicy());
  if (problem) throw validationFailed([{ path: 'url', message: `url ${problem}` }]);
}

/** The request's fields as the domain names them (an absent field stays undefined: unchanged). */
function subscriptionFields<R extends UpdateSubscriptionRequest>(
  request: R,
): {
  url: R['url'];
  eventTypes: R['event_types'];
  description: R['description'];
  enabled: R['enabled'];
  rateLimitPerSecond: R['rate_limit_per_second'];
} {
  return {
    url: request.url,
    eventTypes: request.event_types,
    description: request.description,
    enabled: request.enabled,
    rateLimitPerSecond: request.rate_limit_per_second,
  };
}
