/**
 * Who is calling a tenant-scoped route. The key-management routes have no gateway authorizer: they
 * accept either an API key or a person's JWT in `Authorization: Bearer <token>`, and this module is
 * the one place that decides which it is and whether it may act.
 *
 * Telling the two apart and refusing is the shared `authenticateBearer` of @switchyard/access:
 *
 * - API key: one GetItem by the key id in identity's own table (never a scan), then the domain's
 *   constant-time check. Unknown, revoked, inactive, expired and malformed keys all get the same 401.
 * - Person: `verifyPersonToken` (signature, issuer, audience, expiry); a member of `Admins` with a
 *   tenant id administers that tenant. Identity also holds the person's user item, so it reads it
 *   (consistently) and goes by it: a suspended or removed person is refused (401) at once rather
 *   than when their token expires, and a group taken away counts at once (a token never grants a
 *   group the user item does not have).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { authenticateBearer } from '@switchyard/access';
import { forbidden, unauthorized } from '@switchyard/runtime';
import type { Role } from '../domain/api-keys';
import { canAdminister, checkApiKey, parseApiKey, shouldRecordLastUsed } from '../domain/api-keys';
import { ADMINS_GROUP } from '../domain/tenants';
import { config } from '../config';
import type { IdentityStore } from './identity-store';
import { identityStore } from './identity-store';
import { verifyPersonToken } from './person-tokens';
import type { UserStore } from './user-store';
import { userStore } from './user-store';

export type Caller =
  | { kind: 'apiKey'; tenantId: string; role: Role; keyId: string; actorId: string }
  | {
      kind: 'person';
      tenantId: string | undefined;
      role: Role | undefined;
      userId: string;
      email?: string;
      groups: string[];
      actorId: string;
    };

/** A caller allowed to manage its tenant's keys. */
export type TenantAdmin = Caller & { tenantId: string };

/** One message for every authentication failure, so a client cannot tell unknown from revoked. */
export const INVALID_CREDENTIALS = 'Missing or invalid credentials.';

/** The part of the Powertools logger this module uses. */
export interface LogSink {
  info(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface CallerDeps {
  store: IdentityStore;
  /** Where a person's user item is read (their status and groups now). */
  users: Pick<UserStore, 'getUser'>;
  logger: LogSink;
  now?: () => Date;
  verifyPerson?: typeof verifyPersonToken;
}

/** Authenticates the caller (401 on any failure). Does not check permissions. */
export async function resolveCaller(
  headers: Record<string, string | undefined>,
  deps: CallerDeps,
): Promise<Caller> {
  const now = deps.now?.() ?? new Date();
  const caller = await authenticateBearer(headers, {
    // identity's own table is the source of truth: no projection, no cache.
    verifyApiKey: async (token) => {
      const parsed = parseApiKey(token);
      const record = parsed ? await deps.store.getApiKey(parsed.keyId) : undefined;
      const check = checkApiKey(token, record, now);
      if (!check.ok) {
        deps.logger.info('authentication_failed', { reason: check.reason, keyId: parsed?.keyId });
        return undefined;
      }
      if (shouldRecordLastUsed(check.key.lastUsedAt, now)) {
        await deps.store.recordLastUsed(check.key.keyId, now);
      }
      return check.key;
    },
    verifyPerson: deps.verifyPerson ?? verifyPersonToken,
    message: INVALID_CREDENTIALS,
    log: deps.logger,
  });
  if (caller.kind === 'apiKey') {
    const { key } = caller;
    return {
      kind: 'apiKey',
      tenantId: key.tenantId,
      role: key.role,
      keyId: key.keyId,
      actorId: `key:${key.keyId}`,
    };
  }
  const { person } = caller;
  const user = await deps.users.getUser(person.userId, { consistent: true });
  if (
    !user ||
    user.status !== 'active' ||
    (person.tenantId !== undefined && person.tenantId !== user.tenantId)
  ) {
    deps.logger.info('authentication_failed', { reason: 'person not active', userId: person.userId });
    throw unauthorized(INVALID_CREDENTIALS, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  const groups = person.groups.filter((group) => user.groups.includes(group));
  return {
    kind: 'person',
    tenantId: person.tenantId,
    role: person.tenantId && groups.includes(ADMINS_GROUP) ? 'admin' : undefined,
    userId: person.userId,
    ...(person.email ? { email: person.email } : {}),
    groups,
    actorId: person.userId,
  };
}

/** Authenticates the caller and requires the admin role in a tenant (403 `forbidden` otherwise). */
export async function requireTenantAdmin(
  headers: Record<string, string | undefined>,
  deps: CallerDeps,
  forbiddenMessage = 'Managing API keys needs the admin role.',
): Promise<TenantAdmin> {
  const caller = await resolveCaller(headers, deps);
  if (!caller.tenantId || !caller.role || !canAdminister(caller.role)) throw forbidden(forbiddenMessage);
  return caller as TenantAdmin;
}

/** The IAM principal API Gateway verified for an AWS_IAM route (payload 2.0). */
export interface IamPrincipal {
  accessKey?: string;
  accountId?: string;
  userArn?: string;
  userId?: string;
  callerId?: string;
}

/**
 * Operator routes use the gateway's IAM authorization: the gateway checked the SigV4 signature before
 * invoking us, and says who signed in `requestContext.authorizer.iam`. Nothing else in the request is
 * trusted. Without that context the route was deployed without its authorizer: refuse (defence in
 * depth) rather than serve operators' actions to anyone.
 */
export function requireOperator(event: APIGatewayProxyEventV2): IamPrincipal {
  const context = event.requestContext as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { iam?: IamPrincipal };
  };
  const iam = context.authorizer?.iam;
  if (!iam || (!iam.userArn && !iam.accessKey)) {
    throw forbidden('This operation needs an operator (IAM-signed) request.');
  }
  return iam;
}

function stageCallerDeps(logger: LogSink): CallerDeps {
  const { TABLE_NAME } = config();
  return { store: identityStore(TABLE_NAME), users: userStore(TABLE_NAME), logger };
}

/** `requireTenantAdmin` against this stage's table: what the key-management handlers call. */
export function requireKeyAdmin(request: {
  headers: Record<string, string | undefined>;
  logger: LogSink;
}): Promise<TenantAdmin> {
  return requireTenantAdmin(request.headers, stageCallerDeps(request.logger));
}

/** `requireTenantAdmin` against this stage's table: what the `/users` handlers call. */
export function requireUserAdmin(request: {
  headers: Record<string, string | undefined>;
  logger: LogSink;
}): Promise<TenantAdmin> {
  return requireTenantAdmin(
    request.headers,
    stageCallerDeps(request.logger),
    "Managing a tenant's people needs the admin role.",
  );
}
