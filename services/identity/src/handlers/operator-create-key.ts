import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { createKeyBody } from '../api-schemas';
import { createApiKey } from '../app/api-keys';
import { identityDeps } from '../app/deps';
import { operatorLogActor, requireOperatorOnTenant } from '../app/operator-access';

/**
 * POST /operator/tenants/{tenantId}/keys (IAM-authorised): a key for any tenant, the same body and
 * answer as `POST /keys`; the plaintext is in this response only. An unknown tenant is a 404.
 */
export const handler = createHttpHandler({
  path: z.object({ tenantId: z.string() }),
  body: createKeyBody,
  maxBodyBytes: 16 * 1024,
  handler: async ({ path, body, event, logger }) => {
    const deps = identityDeps();
    const { operator, scope } = await requireOperatorOnTenant(deps, event, path.tenantId);
    const apiKey = await createApiKey(deps, scope, body);
    logger.info('api key created by operator', {
      tenantId: scope.tenantId,
      keyId: apiKey.keyId,
      actor: operatorLogActor(operator),
    });
    return jsonResponse(201, { apiKey });
  },
});
