import { conflict, createHttpHandler, jsonResponse, logger, notFound } from '@switchyard/runtime';
import { z } from 'zod';
import { requireKeyAdmin } from '../adapters/caller';
import { identityStore } from '../adapters/identity-store';
import { config } from '../config';
import { toApiKeySummary } from '../domain/api-keys';

/**
 * PATCH /keys/{keyId} {status: active|inactive} (tenant admins): pauses or resumes a key, publishing
 * ApiKeyUpdated. Revocation is DELETE; a revoked key cannot come back (409).
 */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireKeyAdmin({ headers, logger }),
  path: z.object({ keyId: z.string() }),
  body: z.strictObject({ status: z.enum(['active', 'inactive']) }),
  maxBodyBytes: 4 * 1024,
  handler: async ({ caller, path, body }) => {
    const result = await identityStore(config().TABLE_NAME).changeApiKeyStatus(
      caller.tenantId,
      path.keyId,
      body.status,
      { now: new Date(), updatedBy: caller.actorId },
    );
    if (result.outcome === 'not_found') throw notFound('No such API key.');
    if (result.outcome === 'forbidden') throw conflict(result.message, { code: 'invalid_transition' });
    return jsonResponse(200, { apiKey: toApiKeySummary(result.key) });
  },
});
