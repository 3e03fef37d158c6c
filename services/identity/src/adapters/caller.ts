/**
 * Who is calling a tenant-scoped route. The key-management routes have no gateway authorizer: they
 * accept either an API key or a person's JWT in `Authorization: Bearer <token>`, and this module is
 * the one place that decides which it is and whether it may act.
 *
 * - API key: one GetItem by the key id (never a scan), then the domain's constant-time check.
 *   Unknown, revoked, inactive, expired and malformed keys all get the same 401.
 * - Person: `verifyPersonToken` (signature, issuer, audience, expiry); a member of `Admins` with a
 *   tenant id administers that tenant.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ConfigError, forbidden, unauthorized } from '@switchyard/runtime';
import type { Role } from '../domain/api-keys';
import { canAdminister, checkApiKey, parseApiKey, shouldRecordLastUsed } from '../domain/api-keys';
import { ADMINS_GROUP } from '../domain/tenants';
import { config } from '../config';
import type { IdentityStore } from './identity-store';
import { identityStore } from './identity-store';
import { verifyPersonToken } from './person-tokens';

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

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The part of the Powertools logger this module uses. */
export interface LogSink {
  info(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface CallerDeps {
  store: IdentityStore;
  logger: LogSink;
  now?: () => Date;
  verifyPerson?: typeof verifyPersonToken;
}

/** The bearer token of a request, or undefined when there is none (headers have lowercase names). */
export function bearerToken(headers: Record<string, string | undefined>): string | undefined {
  const value = headers.authorization;
  if (!value) return undefined;
  return BEARER.exec(value)?.[1];
}

function unauthenticated(): never {
  throw unauthorized(INVALID_CREDENTIALS, { headers: { 'WWW-Authenticate': 'Bearer' } });
}

/** Authenticates the caller (401 on any failure). Does not check permissions. */
export async function resolveCaller(
  headers: Record<string, string | undefined>,
  deps: CallerDeps,
): Promise<Caller> {
  const token = bearerToken(headers);
  if (!token) unauthenticated();
  const now = deps.now?.() ?? new Date();

  const parsed = parseApiKey(token);
  if (parsed) {
    const record = await deps.store.getApiKey(parsed.keyId);
    const check = checkApiKey(token, record, now);
    if (!check.ok) {
      deps.logger.info('api key refused', { keyId: parsed.keyId, reason: check.reason });
      unauthenticated();
    }
    if (shouldRecordLastUsed(check.key.lastUsedAt, now)) {
      await deps.store.recordLastUsed(check.key.keyId, now);
    }
    return {
      kind: 'apiKey',
      tenantId: check.key.tenantId,
      role: check.key.role,
      keyId: check.key.keyId,
      actorId: `key:${check.key.keyId}`,
    };
  }

  // Anything else must at least look like a JWT; an API key with a typo is refused here too.
  if (!JWT_SHAPE.test(token)) {
    deps.logger.info('bearer token refused', { reason: 'malformed' });
    unauthenticated();
  }
  let person: Awaited<ReturnType<typeof verifyPersonToken>>;
  try {
    person = await (deps.verifyPerson ?? verifyPersonToken)(token);
  } catch (error) {
    // A missing ISSUER_URL is a deployment bug: a 500, not the caller's fault.
    if (error instanceof ConfigError) throw error;
    deps.logger.info('person token refused', { reason: error instanceof Error ? error.message : 'invalid' });
    unauthenticated();
  }
  return {
    kind: 'person',
    tenantId: person.tenantId,
    role: person.tenantId && person.groups.includes(ADMINS_GROUP) ? 'admin' : undefined,
    userId: person.userId,
    ...(person.email ? { email: person.email } : {}),
    groups: person.groups,
    actorId: person.userId,
  };
}

/** Authenticates the caller and requires the admin role in a tenant (403 otherwise). */
export async function requireTenantAdmin(
  headers: Record<string, string | undefined>,
  deps: CallerDeps,
): Promise<TenantAdmin> {
  const caller = await resolveCaller(headers, deps);
  if (!caller.tenantId || !caller.role || !canAdminister(caller.role)) {
    throw forbidden('Managing API keys needs the admin role.');
  }
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

/** `requireTenantAdmin` against this stage's table: what the key-management handlers call. */
export function requireKeyAdmin(request: {
  headers: Record<string, string | undefined>;
  logger: LogSink;
}): Promise<TenantAdmin> {
  return requireTenantAdmin(request.headers, {
    store: identityStore(config().TABLE_NAME),
    logger: request.logger,
  });
}
