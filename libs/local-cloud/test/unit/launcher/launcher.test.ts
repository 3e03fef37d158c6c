import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBundle } = require('../../../launcher.cjs') as {
  ensureBundle(options: { root: string; entry: string; outDir: string }): Promise<{
    file: string;
    rebuilt: boolean;
  }>;
};

/** Loads a bundle afresh (jest's module registry would otherwise keep the first copy). */
function load(file: string): Record<string, unknown> {
  let loaded: Record<string, unknown> = {};
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file) as Record<string, unknown>;
  });
  return loaded;
}

describe('the local cloud launcher bundle', () => {
  let root: string;
  let options: { root: string; entry: string; outDir: string };
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'launcher-'));
    write('package.json', '{ "name": "fixture", "private": true }');
    write('src/answer.ts', 'export const answer: number = 41;\n');
    write(
      'src/main.ts',
      [
        "import { answer } from './answer';",
        "import { shared } from '@switchyard/fixture-lib';",
        'export const value = answer + 1;',
        'export const folder = __dirname;',
        'export const fromWorkspace = shared;',
        "export const outside = () => require('left-outside');",
      ].join('\n'),
    );
    write(
      'node_modules/@switchyard/fixture-lib/package.json',
      '{ "name": "@switchyard/fixture-lib", "main": "index.ts" }',
    );
    write('node_modules/@switchyard/fixture-lib/index.ts', "export const shared = 'from the workspace';\n");
    write('node_modules/left-outside/package.json', '{ "name": "left-outside", "main": "index.js" }');
    write('node_modules/left-outside/index.js', "module.exports = 'loaded from node_modules';\n");
    options = { root, entry: join(root, 'src', 'main.ts'), outDir: join(root, 'out') };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is made once and reused while no input changes', async () => {
    const first = await ensureBundle(options);
    expect(first.rebuilt).toBe(true);
    expect(load(first.file).value).toBe(42);
    const bundled = readFileSync(first.file, 'utf8');

    const second = await ensureBundle(options);
    expect(second).toEqual({ file: first.file, rebuilt: false });
    expect(readFileSync(second.file, 'utf8')).toBe(bundled);
  });

  it('is made again when a file it was made from changes', async () => {
    await ensureBundle(options);
    write('src/answer.ts', 'export const answer: number = 99;\n');
    const again = await ensureBundle(options);
    expect(again.rebuilt).toBe(true);
    expect(load(again.file).value).toBe(100);
  });

  it('is made again when a package.json above its inputs changes', async () => {
    await ensureBundle(options);
    write('package.json', '{ "name": "fixture", "private": true, "description": "changed" }');
    expect((await ensureBundle(options)).rebuilt).toBe(true);
  });

  it('is made again when its bundle or manifest is damaged', async () => {
    const { file } = await ensureBundle(options);
    writeFileSync(join(options.outDir, 'inputs.json'), '{ not json');
    expect((await ensureBundle(options)).rebuilt).toBe(true);
    rmSync(file);
    expect((await ensureBundle(options)).rebuilt).toBe(true);
    expect(load(file).value).toBe(42);
  });

  it('bundles the workspace packages, leaves other packages to node_modules, keeps each source __dirname', async () => {
    const { file } = await ensureBundle(options);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('from the workspace');
    expect(text).not.toContain('loaded from node_modules');
    expect(text).toContain('require("left-outside")');
    const bundle = load(file);
    expect(bundle.fromWorkspace).toBe('from the workspace');
    expect((bundle.outside as () => unknown)()).toBe('loaded from node_modules');
    expect(bundle.folder).toBe(join(root, 'src'));
  });

  it('reports what esbuild could not compile', async () => {
    write('src/answer.ts', 'export const answer: number = ;\n');
    await expect(ensureBundle(options)).rejects.toThrow(/answer\.ts/);
  });
});
