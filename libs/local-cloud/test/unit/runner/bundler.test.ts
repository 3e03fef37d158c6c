// The bundler's reuse of bundles across starts: a new Bundler (the next `npm start`) takes the
// bundle an earlier one left on disk while its sources, their packages' package.json and the lock
// file are unchanged, and builds again when one of them changed. Real esbuild, in a scratch
// directory.
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bundler } from '../../../src/runner/host/bundler';

describe('bundles reused across starts', () => {
  let root: string;
  let serviceDir: string;
  let entry: string;
  const later = (path: string) => {
    const next = new Date(statSync(path).mtimeMs + 5_000);
    utimesSync(path, next, next);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bundler-'));
    serviceDir = join(root, 'services', 'sample');
    mkdirSync(join(serviceDir, 'src'), { recursive: true });
    writeFileSync(join(root, 'package-lock.json'), '{}');
    entry = join(serviceDir, 'src', 'hello.ts');
    writeFileSync(
      entry,
      "import { greeting } from './greeting';\nexport const handler = async () => greeting;\n",
    );
    writeFileSync(join(serviceDir, 'src', 'greeting.ts'), "export const greeting = 'hello';\n");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const source = () => ({ entry, service: 'sample', serviceDir });
  const bundler = () => new Bundler({ buildDir: join(root, '.switchyard', 'build') });

  it('takes the bundle an earlier start built while nothing it was built from changed', async () => {
    const first = await bundler().current(source());
    const builtAt = statSync(first.path).mtimeMs;
    const again = await bundler().current(source());
    expect(again.path).toBe(first.path);
    expect(again.version).toBe(first.version);
    expect(statSync(again.path).mtimeMs).toBe(builtAt);
    expect([...again.inputs.keys()]).toEqual(
      expect.arrayContaining([
        entry,
        join(serviceDir, 'src', 'greeting.ts'),
        join(root, 'package-lock.json'),
      ]),
    );
  });

  it('builds again when a source it imports changed, or the lock file did', async () => {
    const first = await bundler().current(source());
    writeFileSync(join(serviceDir, 'src', 'greeting.ts'), "export const greeting = 'hi';\n");
    later(join(serviceDir, 'src', 'greeting.ts'));
    const edited = await bundler().current(source());
    expect(edited.version).not.toBe(first.version);
    expect(readFileSync(edited.path, 'utf8')).toContain('"hi"');

    later(join(root, 'package-lock.json'));
    const reinstalled = await bundler().current(source());
    expect(reinstalled.version).not.toBe(edited.version);
  });

  it('builds again when the package.json of a package it bundles changed (its "sideEffects")', async () => {
    writeFileSync(join(serviceDir, 'package.json'), '{"name":"sample"}');
    const first = await bundler().current(source());
    expect([...first.inputs.keys()]).toContain(join(serviceDir, 'package.json'));
    writeFileSync(join(serviceDir, 'package.json'), '{"name":"sample","sideEffects":false}');
    later(join(serviceDir, 'package.json'));
    const rebuilt = await bundler().current(source());
    expect(rebuilt.version).not.toBe(first.version);
  });

  it('builds again when the record beside a bundle is missing or unreadable', async () => {
    const first = await bundler().current(source());
    writeFileSync(`${first.path}.inputs.json`, 'not json');
    const rebuilt = await bundler().current(source());
    expect(rebuilt.version).not.toBe(first.version);
  });
});
