import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { userDeps } from '../app/deps';
import { operatorLogActor, requireOperatorActor } from '../app/operator-access';
import { removeAnyUser } from '../app/users';

/**
 * DELETE /operator/users/{userId} (IAM-authorised): removes any tenant's user, through the same use
 * case as `DELETE /users/{userId}`. 404 for an unknown user; 409 `last_admin`.
 */
export const handler = createHttpHandler({
  path: z.object({ userId: z.string() }),
  handler: async ({ path, event, logger }) => {
    const operator = requireOperatorActor(event);
    const removed = await removeAnyUser(userDeps(), operator.actorId, path.userId);
    logger.info('user removed by operator', { ...removed, actor: operatorLogActor(operator) });
    return jsonResponse(204);
  },
});
