/**
 * What identity's operator routes share: who the operator is, as the actor recorded on keys and
 * events and as logged, and the tenant a tenant-scoped operator route names.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { requireOperator } from '../adapters/caller';
import type { IdentityStore } from '../adapters/identity-store';
import type { KeyScope } from './api-keys';
import { requireTenant } from './tenants';

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

/**
 * The operator (403 without one) acting on the tenant a route names, read consistently (404 when it
 * does not exist or cannot be an id), as the scope of the key use cases.
 */
export async function requireOperatorOnTenant(
  deps: { store: IdentityStore },
  event: APIGatewayProxyEventV2,
  tenantId: string,
): Promise<{ operator: Operator; scope: KeyScope }> {
  const operator = requireOperatorActor(event);
  const tenant = await requireTenant(deps, tenantId, { consistent: true });
  return { operator, scope: { tenantId: tenant.tenantId, actorId: operator.actorId } };
}

/** How an operator's log lines name them: the ARN and access key the gateway verified. */
export const operatorLogActor = (operator: { userArn?: string; accessKey?: string }) => ({
  userArn: operator.userArn,
  accessKey: operator.accessKey,
});
