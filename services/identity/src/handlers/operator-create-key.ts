import { randomBytes } from 'node:crypto';
import { createHttpHandler, jsonResponse, validationFailed } from '@switchyard/runtime';
import { z } from 'zod';
import { identityStore } from '../adapters/identity-store';
import { createKeyBody } from '../api-schemas';
import { requireOperatorActor, requireTenant } from '../app/operator-access';
import { config } from '../config';
import { environmentForStage, newApiKey, toApiKeySummary } from '../domain/api-keys';

/**
 * POST /operator/tenants/{tenantId}/keys (IAM-authorised): a key for any tenant, the same body and
 * answer as `POST /keys`; the plaintext is in this response only. An unknown tenant is a 404.
 */
export const handler = createHttpHandler({
  path: z.object({ tenantId: z.string() }),
  body: createKeyBody,
  maxBodyBytes: 16 * 1024,
  handler: async ({ path, body, event, logger }) => {
    const operator = requireOperatorActor(event);
    const { TABLE_NAME, STAGE } = config();
    const store = identityStore(TABLE_NAME);
    const tenant = await requireTenant(store, path.tenantId);
    const now = new Date();
    const expiresAt = body.expiresAt === undefined ? undefined : new Date(body.expiresAt);
    if (expiresAt && expiresAt.getTime() <= now.getTime()) {
      throw validationFailed([{ path: 'expiresAt', message: 'must be in the future' }]);
    }
    const key = newApiKey(
      {
        tenantId: tenant.tenantId,
        role: body.role,
        environment: environmentForStage(STAGE),
        createdBy: operator.actorId,
        ...(body.description === undefined ? {} : { name: body.description }),
        ...(body.ownerEmail === undefined ? {} : { ownerEmail: body.ownerEmail }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      },
      { now, random: randomBytes },
    );
    await store.createApiKey(key.record);
    logger.info('api key created by operator', {
      tenantId: tenant.tenantId,
      keyId: key.record.keyId,
      actor: { userArn: operator.userArn, accessKey: operator.accessKey },
    });
    return jsonResponse(201, { apiKey: { ...toApiKeySummary(key.record), key: key.plaintext } });
  },
});
