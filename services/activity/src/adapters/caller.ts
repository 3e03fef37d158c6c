/**
 * The person behind a route. Every activity route sits behind identity's `people` JWT authorizer on
 * the platform's HTTP API, so the token was verified (signature, issuer, audience, expiry) before
 * the function runs; the function reads who it is and their tenant from the verified claims.
 */
import { ADMINS_GROUP, personFromClaims } from '@switchyard/access';
import { unauthorized } from '@switchyard/runtime';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Viewer } from '../domain/comments';

export const INVALID_CREDENTIALS = 'Missing or invalid credentials.';

export async function authenticatePerson(request: { event: APIGatewayProxyEventV2 }): Promise<Viewer> {
  const claims = (
    request.event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }
  ).authorizer?.jwt?.claims;
  if (!claims) throw unauthorized(INVALID_CREDENTIALS);
  let person;
  try {
    person = personFromClaims(claims);
  } catch {
    throw unauthorized(INVALID_CREDENTIALS);
  }
  if (!person.tenantId) throw unauthorized(INVALID_CREDENTIALS);
  return { tenantId: person.tenantId, userId: person.userId, isAdmin: person.groups.includes(ADMINS_GROUP) };
}
