import { createHttpHandler, jsonResponse, logger } from '@switchyard/runtime';
import { requireUserAdmin } from '../adapters/caller';
import { userDeps } from '../app/deps';
import { inviteUser } from '../app/users';
import { inviteUserSchema } from '../domain/users';

/**
 * POST /users {email, groups?, displayName?} (tenant admins): invites a person to the caller's
 * tenant; they get an e-mail saying who invited them and how to sign in. 409 `email_taken` when
 * the address belongs to anyone, in any tenant.
 */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireUserAdmin({ headers, logger }),
  body: inviteUserSchema,
  maxBodyBytes: 4 * 1024,
  handler: async ({ caller, body, logger }) => {
    const user = await inviteUser(userDeps(), caller, body);
    logger.info('user invited', { tenantId: caller.tenantId, userId: user.userId, actor: caller.actorId });
    return jsonResponse(201, { user });
  },
});
