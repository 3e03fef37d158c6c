/** POST /messages/upload {filename, contentType, size}: a presigned POST for one attachment (15 minutes). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { uploadBody } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { uploadDeps } from '../app/deps';
import { requestUpload } from '../app/uploads';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  body: uploadBody,
  maxBodyBytes: 4096,
  handler: async ({ caller, body }) => jsonResponse(201, await requestUpload(caller, body, uploadDeps())),
});
