#!/usr/bin/env node
/**
 * `npm start`, and the process startLocalCloud() spawns: runs the local cloud (src/main.ts) from one
 * CommonJS bundle of our TypeScript, made by esbuild and kept under .switchyard/build/local-cloud.
 * Compiling its ~140 files through tsx took about a second of every start; loading one bundle does
 * not. Packages from node_modules stay outside the bundle (only the workspace's @switchyard/* code is
 * in it), so they load as they always did.
 *
 * The bundle is made again whenever it might be stale: the manifest beside it keeps a hash of the
 * content of every file it was made from (esbuild's inputs, and each package.json and tsconfig above
 * them), of esbuild's version and of this file; every start compares them (about 20 ms).
 * Plain JavaScript on purpose: it runs before any TypeScript loader exists.
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- node runs this file as it is: CommonJS. */
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');

const MANIFEST = 'inputs.json';
const BUNDLE = 'main.cjs';
/** The workspace's packages: bundled from source like the files that import them. */
const WORKSPACE_SCOPE = '@switchyard/';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const hashFile = (file) => {
  try {
    return sha256(readFileSync(file));
  } catch {
    return 'missing';
  }
};

/** What the bundle depends on besides its inputs: the bundler and these rules. */
function toolKey() {
  const { version } = require('esbuild');
  return sha256(`${version}\n${readFileSync(join(__dirname, 'launcher.cjs'), 'utf8')}`);
}

/** Every package.json and tsconfig from each input's folder up to `root`: they steer resolution. */
function configFilesAbove(inputs, root) {
  const found = new Set();
  for (const input of inputs) {
    for (let dir = dirname(input); dir === root || dir.startsWith(root + '/'); dir = dirname(dir)) {
      for (const name of ['package.json', 'tsconfig.json', 'tsconfig.base.json']) {
        const file = join(dir, name);
        if (existsSync(file)) found.add(file);
      }
      if (dir === root) break;
    }
  }
  return [...found];
}

function readManifest(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when the manifest was written by these tools and no file it lists has changed. */
function isCurrent(manifest, root) {
  if (!manifest || manifest.tool !== toolKey() || !manifest.files || typeof manifest.files !== 'object') {
    return false;
  }
  return Object.entries(manifest.files).every(([file, hash]) => hashFile(resolve(root, file)) === hash);
}

/** Writes `content` to `file` in one step: a start running beside this one never reads half of it. */
function writeAtomically(file, content) {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, file);
}

/** esbuild plugins: which imports stay outside, and `__dirname` as each source file knows it. */
const plugins = [
  {
    name: 'workspace-only',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) =>
        args.path.startsWith(WORKSPACE_SCOPE) ? undefined : { external: true },
      );
    },
  },
  {
    // The bundle lives elsewhere; code that finds files next to its source (the DynamoDB launcher's
    // Java source, the repository root) gets its source folder.
    name: 'source-dirname',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!/\b__dirname\b/.test(text)) return undefined;
        return {
          contents: text.replace(/\b__dirname\b/g, JSON.stringify(dirname(args.path))),
          loader: 'ts',
        };
      });
    },
  },
];

/**
 * The bundle of `entry` under `outDir`, made again when stale (`rebuilt` says which). Paths in the
 * manifest are relative to `root`, the folder every input lies under.
 */
async function ensureBundle({ root, entry, outDir }) {
  const bundle = join(outDir, BUNDLE);
  const manifestFile = join(outDir, MANIFEST);
  if (existsSync(bundle) && isCurrent(readManifest(manifestFile), root)) {
    return { file: bundle, rebuilt: false };
  }
  const { build } = require('esbuild');
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    outfile: bundle,
    write: false,
    metafile: true,
    // Stack traces name the TypeScript sources (the launcher turns source maps on).
    sourcemap: 'inline',
    sourcesContent: false,
    // Errors come back as the thrown failure; a warning (such as import.meta, empty in CommonJS)
    // prints when the bundle is made.
    logLevel: 'warning',
    plugins,
  });
  const output = result.outputFiles.find((file) => file.path === bundle);
  if (!output) throw new Error('esbuild made no bundle');
  const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(root, input));
  const files = {};
  for (const file of [...inputs, ...configFilesAbove(inputs, root)]) {
    files[relative(root, file)] = hashFile(file);
  }
  mkdirSync(outDir, { recursive: true });
  writeAtomically(bundle, output.contents);
  writeAtomically(manifestFile, JSON.stringify({ tool: toolKey(), files }, null, 1));
  return { file: bundle, rebuilt: true };
}

async function launch() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    console.error(
      `switchyard: Node ${process.versions.node} is running; Node 22+ is needed. Run through npm ` +
        '(npm start, npm test, npm run ...), which uses the node@22 devDependency, or install Node 22.',
    );
    process.exit(1);
  }
  // This file sits at libs/local-cloud; the build folder is src/repo-root.ts's localBuildDir.
  const root = resolve(__dirname, '..', '..');
  const { file } = await ensureBundle({
    root,
    entry: join(__dirname, 'src', 'main.ts'),
    outDir: join(root, '.switchyard', 'build', 'local-cloud'),
  });
  process.setSourceMapsEnabled(true);
  // main.ts reads its options from process.argv, which is already `node <this file> [options]`.
  require(file);
}

if (require.main === module) {
  launch().catch((error) => {
    console.error(`switchyard: the local cloud could not be built: ${error.message}`);
    process.exit(1);
  });
}

module.exports = { ensureBundle };
