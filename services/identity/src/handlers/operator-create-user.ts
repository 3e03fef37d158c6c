import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { userDeps } from '../app/deps';
import { operatorLogActor, requireOperatorOnTenant } from '../app/operator-access';
import { inviteUser } from '../app/users';
import { inviteUserSchema } from '../domain/users';

/**
 * POST /operator/tenants/{tenantId}/users (IAM-authorised): invites a person to any tenant, the same
 * body and answer as `POST /users`. An unknown tenant is a 404.
 */
export const handler = createHttpHandler({
  path: z.object({ tenantId: z.string() }),
  body: inviteUserSchema,
  maxBodyBytes: 4 * 1024,
  handler: async ({ path, body, event, logger }) => {
    const deps = userDeps();
    const { operator, scope } = await requireOperatorOnTenant(deps, event, path.tenantId);
    const user = await inviteUser(deps, scope, body);
    logger.info('user invited by operator', {
      tenantId: scope.tenantId,
      userId: user.userId,
      actor: operatorLogActor(operator),
    });
    return jsonResponse(201, { user });
  },
});
