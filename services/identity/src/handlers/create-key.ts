import { randomBytes } from 'node:crypto';
import { createHttpHandler, jsonResponse, logger, validationFailed } from '@switchyard/runtime';
import { requireKeyAdmin } from '../adapters/caller';
import { identityStore } from '../adapters/identity-store';
import { createKeyBody } from '../api-schemas';
import { config } from '../config';
import { environmentForStage, newApiKey, toApiKeySummary } from '../domain/api-keys';

/** POST /keys (tenant admins): a new key for the caller's tenant; the plaintext is in this response only. */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireKeyAdmin({ headers, logger }),
  body: createKeyBody,
  maxBodyBytes: 16 * 1024,
  handler: async ({ caller, body, logger }) => {
    const now = new Date();
    const expiresAt = body.expiresAt === undefined ? undefined : new Date(body.expiresAt);
    if (expiresAt && expiresAt.getTime() <= now.getTime()) {
      throw validationFailed([{ path: 'expiresAt', message: 'must be in the future' }]);
    }
    const { TABLE_NAME, STAGE } = config();
    const key = newApiKey(
      {
        tenantId: caller.tenantId,
        role: body.role,
        environment: environmentForStage(STAGE),
        createdBy: caller.actorId,
        ...(body.description === undefined ? {} : { name: body.description }),
        ...(body.ownerEmail === undefined ? {} : { ownerEmail: body.ownerEmail }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      },
      { now, random: randomBytes },
    );
    await identityStore(TABLE_NAME).createApiKey(key.record);
    logger.info('api key created', {
      tenantId: caller.tenantId,
      keyId: key.record.keyId,
      actor: caller.actorId,
    });
    return jsonResponse(201, { apiKey: { ...toApiKeySummary(key.record), key: key.plaintext } });
  },
});
