import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { buildOpenApiDocument, serviceVersion } from '../adapters/openapi';
import type { OpenApiDocument } from '../adapters/openapi';

let document: OpenApiDocument | undefined;

/** GET /delivery/openapi.json (no authentication): generated once per container from the handlers' schemas. */
export const handler = createHttpHandler({
  handler: async () => {
    document ??= buildOpenApiDocument({ version: serviceVersion() });
    return jsonResponse(200, document, { 'Cache-Control': 'public, max-age=300' });
  },
});
