import { createHttpHandler, jsonResponse, logger } from '@switchyard/runtime';
import { z } from 'zod';
import { requireKeyAdmin } from '../adapters/caller';
import { changeApiKeyStatus } from '../app/api-keys';
import { identityDeps } from '../app/deps';

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
  handler: async ({ caller, path, body }) =>
    jsonResponse(200, { apiKey: await changeApiKeyStatus(identityDeps(), caller, path.keyId, body.status) }),
});
