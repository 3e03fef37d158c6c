/**
 * Generates the e2e client's types (e2e/ingest/openapi-types.ts) from ingest's OpenAPI document with
 * openapi-typescript. The file is committed; test/unit/openapi.test.ts fails when it is stale.
 *
 *   node scripts/run-ts.mjs services/ingest/scripts/openapi-types.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { buildOpenApiDocument } from '../src/adapters/openapi';

const OPENAPI_TYPES_PATH = join(__dirname, '..', '..', '..', 'e2e', 'ingest', 'openapi-types.ts');

const HEADER =
  '// Generated from the ingest OpenAPI document by services/ingest/scripts/openapi-types.ts.\n' +
  '// Do not edit; regenerate with: node scripts/run-ts.mjs services/ingest/scripts/openapi-types.ts\n';

/** The generated module's text. The version is fixed so a version bump does not make it stale. */
async function renderOpenApiTypes(): Promise<string> {
  const document = buildOpenApiDocument({ version: '0.0.0' });
  const ast = await openapiTS(document as never);
  // Formatted like the rest of the repository, so `prettier --check .` and the freshness test agree.
  const options = (await resolveConfig(OPENAPI_TYPES_PATH)) ?? {};
  return format(HEADER + astToString(ast), { ...options, filepath: OPENAPI_TYPES_PATH });
}

/** `--stdout` prints instead of writing (the freshness test runs this in a child process: jest
 * cannot load openapi-typescript's ES module dependencies). */
void renderOpenApiTypes().then((text) => {
  if (process.argv.includes('--stdout')) {
    process.stdout.write(text);
    return;
  }
  writeFileSync(OPENAPI_TYPES_PATH, text);
  console.log(`wrote ${OPENAPI_TYPES_PATH}`);
});
