import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import LocalPackaging from '../../index.cjs';

const validateConfig = async () => {
  throw new Error('osls validated the configuration');
};

function fakeServerless(serviceDir: string) {
  return {
    serviceDir,
    configSchemaHandler: { validateConfig },
    config: { servicePath: serviceDir },
    service: {
      package: { patterns: ['!node_modules/**'] },
      functions: {
        one: { handler: 'src/handlers/one.handler' },
        two: { handler: 'src/handlers/two.handler' },
      },
    },
  };
}

describe('@switchyard/local-packaging', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-packaging-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    delete process.env.SWITCHYARD_TEMPLATE_ONLY;
  });

  it('changes nothing unless the local cloud asks for the template only', () => {
    const serverless = fakeServerless(dir);
    delete process.env.SWITCHYARD_TEMPLATE_ONLY;
    expect(new LocalPackaging(serverless).hooks).toEqual({});
    process.env.SWITCHYARD_TEMPLATE_ONLY = 'true';
    expect(new LocalPackaging(serverless).hooks).toEqual({});
    expect(serverless.configSchemaHandler.validateConfig).toBe(validateConfig);
  });

  it("leaves out osls's schema check when only the template is made", async () => {
    const serverless = fakeServerless(dir);
    process.env.SWITCHYARD_TEMPLATE_ONLY = '1';
    new LocalPackaging(serverless);
    expect(serverless.configSchemaHandler.validateConfig).not.toBe(validateConfig);
    await expect(serverless.configSchemaHandler.validateConfig()).resolves.toBeUndefined();
  });

  it('skips every bundle and points the service at an empty zip that osls can hash', () => {
    const serverless = fakeServerless(dir);
    process.env.SWITCHYARD_TEMPLATE_ONLY = '1';
    const plugin = new LocalPackaging(serverless);
    plugin.hooks.initialize!();
    const { service } = serverless as unknown as {
      service: {
        package: { artifact: string; patterns: string[] };
        functions: Record<string, { skipEsbuild?: boolean }>;
      };
    };
    expect(Object.values(service.functions).map((fn) => fn.skipEsbuild)).toEqual([true, true]);
    expect(service.package.patterns).toEqual(['!node_modules/**']);
    const zip = readFileSync(service.package.artifact);
    // The end-of-central-directory signature and nothing else: a valid zip of no files.
    expect(zip.length).toBe(22);
    expect(zip.readUInt32LE(0)).toBe(0x06054b50);
    for (const where of ['.serverless', join('.esbuild', '.serverless')])
      expect(existsSync(join(dir, where, 'switchyard-template-only.zip'))).toBe(true);
  });

  describe('the esbuild entry', () => {
    // A fresh node per case: which modules a require loads is the point, so no shared module cache.
    const load = (templateOnly: boolean) => {
      const script = `
        const Plugin = require('@switchyard/local-packaging/esbuild');
        const loaded = Object.keys(require.cache).some((path) => path.includes('serverless-esbuild'));
        const hooks = loaded ? null : Object.keys(new Plugin({}, {}).hooks);
        console.log(JSON.stringify({ loaded, same: Plugin === (loaded ? require('serverless-esbuild') : null), hooks }));`;
      const env = { ...process.env };
      delete env.SWITCHYARD_TEMPLATE_ONLY;
      if (templateOnly) env.SWITCHYARD_TEMPLATE_ONLY = '1';
      const out = execFileSync(process.execPath, ['-e', script], { cwd: __dirname, env, encoding: 'utf8' });
      return JSON.parse(out) as { loaded: boolean; same: boolean; hooks: string[] | null };
    };

    it('is serverless-esbuild itself when functions are bundled', () => {
      expect(load(false)).toMatchObject({ loaded: true, same: true });
    });

    it('does not load serverless-esbuild when only the template is made, and hooks nothing', () => {
      expect(load(true)).toEqual({ loaded: false, same: false, hooks: [] });
    });
  });
});
