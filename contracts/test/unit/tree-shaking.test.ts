// Every function bundles the shared packages; each contract builds its zod schemas when its module
// loads. A function that uses one contract must not carry (and build) all of them.
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../../..');

function bundledSources(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tree-shaking-'));
  try {
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, source);
    const result = buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      outfile: join(dir, 'out.js'),
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: repoRoot,
      nodePaths: [join(repoRoot, 'node_modules')],
      external: ['zod', '@aws-sdk/*', '@aws-lambda-powertools/*', '@middy/*', 'jose'],
    });
    // The output's inputs, by the bytes each left in it: esbuild parses every re-exported module.
    const [output] = Object.values(result.metafile.outputs);
    return Object.entries(output!.inputs)
      .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
      .map(([input]) => input.replace(/\\/g, '/'))
      .filter((input) => !input.includes('node_modules/'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('what a function bundles of the shared packages', () => {
  it('holds only the contracts it imports, not every one', () => {
    const sources = bundledSources(
      `import { ApiKeyRevoked } from '@switchyard/contracts';\nexport const detailType = ApiKeyRevoked.detailType;\n`,
    );
    const contracts = sources.filter((path) => /contracts\/src\/[a-z]+\//.test(path));
    expect(contracts).toEqual([expect.stringMatching(/contracts\/src\/identity\/api-key-revoked\.ts$/)]);
    expect(sources.some((path) => path.endsWith('contracts/src/registry.ts'))).toBe(false);
  });

  it('holds the registry, and so every contract, where a function looks contracts up', () => {
    const sources = bundledSources(
      `import { findContract } from '@switchyard/contracts';\nexport const found = findContract;\n`,
    );
    expect(sources.filter((path) => /contracts\/src\/[a-z]+\//.test(path)).length).toBeGreaterThan(30);
  });

  it('leaves out the runtime modules a stream consumer does not use', () => {
    const sources = bundledSources(
      `import { logger } from '@switchyard/runtime';\nexport const log = logger;\n`,
    );
    expect(sources.some((path) => path.endsWith('libs/runtime/src/logger.ts'))).toBe(true);
    for (const unused of ['http-handler.ts', 'openapi.ts', 'outbox.ts']) {
      expect(sources.some((path) => path.endsWith(`libs/runtime/src/${unused}`))).toBe(false);
    }
  });
});
