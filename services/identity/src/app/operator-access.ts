/**
 * What identity's operator key routes share: who the operator is, as the actor recorded on keys and
 * events, and the tenant a tenant-scoped operator route names.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { notFound } from '@switchyard/runtime';
import { requireOperator } from '../adapters/caller';
import type { IdentityStore } from '../adapters/identity-store';
import type { Tenant } from '../domain/tenants';
import { isId } from '../domain/random';

/** The contracts' identifier limit for `createdBy` / `revokedBy`. */
const MAX_ACTOR_LENGTH = 128;

export interface Operator {
  /** Recorded as `createdBy` / `revokedBy`: the signer's IAM ARN (its access key when there is none). */
  actorId: string;
  userArn?: string;
  accessKey?: string;
}

/**
 * The IAM principal the gateway verified (403 without one, see `requireOperator`). An assumed-role ARN
 * can exceed the contracts' 128 characters; then its tail (role and session name) is kept.
 */
export function requireOperatorActor(event: APIGatewayProxyEventV2): Operator {
  const iam = requireOperator(event);
  const full = iam.userArn ?? `accessKey:${iam.accessKey ?? 'unknown'}`;
  const actorId = full.length <= MAX_ACTOR_LENGTH ? full : `…${full.slice(-(MAX_ACTOR_LENGTH - 1))}`;
  return {
    actorId,
    ...(iam.userArn ? { userArn: iam.userArn } : {}),
    ...(iam.accessKey ? { accessKey: iam.accessKey } : {}),
  };
}

/** The tenant an operator route names, read consistently; 404 when it does not exist (or cannot be an id). */
export async function requireTenant(store: IdentityStore, tenantId: string): Promise<Tenant> {
  const tenant = isId('tenant', tenantId) ? await store.getTenant(tenantId, { consistent: true }) : undefined;
  if (!tenant) throw notFound('No such tenant.');
  return tenant;
}
