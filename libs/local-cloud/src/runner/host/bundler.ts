/**
 * Functions' code, bundled from source with esbuild on first use and bundled again when one of its
 * source files changed (edit and go, no restart). A bundle on disk whose sources (and the lock file)
 * are as they were when it was built is used again by the next start instead of being rebuilt.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build, stop as stopEsbuild } from 'esbuild';
import type { BuildOptions, Plugin } from 'esbuild';

export interface Bundle {
  path: string;
  version: string;
  /** Source files (outside node_modules) and their mtimes when bundled. */
  inputs: Map<string, number>;
  /** When the inputs' mtimes were last compared. */
  checkedAt: number;
}

/** What to bundle: a handler's source file, in its service's folder. */
export interface BundleSource {
  entry: string;
  service: string;
  serviceDir: string;
}

export interface BundlerOptions {
  /** Where bundles go (`<service>/<handler>-<hash>/index.js` below it). */
  buildDir: string;
  /** Packages left out of bundles and loaded from node_modules at run time; default DEFAULT_EXTERNAL. */
  external?: string[];
}

/**
 * Source files are compared at most this often: an edit is picked up on the next request after it,
 * and a busy function does not stat its sources on every invocation.
 */
const SOURCE_CHECK_INTERVAL_MS = 250;

export const DEFAULT_EXTERNAL = ['@aws-sdk/*', '@smithy/*', '@aws-crypto/*'];

/**
 * Builds run at most this many at a time: esbuild's service keeps (until it is stopped) the memory
 * its largest burst needed, and on a laptop's few cores more parallel builds finish no sooner.
 */
const MAX_PARALLEL_BUILDS = 4;

/**
 * esbuild's service process is stopped once no build has been in flight for this long, so the
 * memory a burst of builds took goes back; the next build starts it again (in milliseconds).
 */
const ESBUILD_IDLE_STOP_MS = 200;

/**
 * Packages from node_modules are loaded at run time rather than copied into every bundle: a worker
 * that runs several functions of a group then holds one copy of each package instead of one per
 * function (zod alone is about 600 KB of every bundle), which keeps the whole local cloud within its
 * memory goal. Each import resolves to the file the importing directory would load with `require`,
 * so a service's own version of a package still wins. Our workspace packages (TypeScript) are
 * bundled, and so is a package with no CommonJS entry (ES modules only, like middy).
 */
export const sharedPackages: Plugin = {
  name: 'shared-packages',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (isBuiltin(args.path) || args.path.startsWith('@switchyard/')) return undefined;
      let path: string;
      try {
        path = createRequire(join(args.resolveDir, 'index.js')).resolve(args.path);
      } catch {
        return undefined;
      }
      return path.includes('/node_modules/') ? { path, external: true } : undefined;
    });
  },
};

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** `src/handlers/hello.handler` in `dir` → { entry: `<dir>/src/handlers/hello.ts`, exportName: 'handler' }. */
export function resolveHandlerEntry(
  serviceDir: string,
  handler: string,
): { entry: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`handler "${handler}" is not of the form <file>.<export>`);
  const base = join(serviceDir, handler.slice(0, dot));
  const exportName = handler.slice(dot + 1);
  for (const extension of SOURCE_EXTENSIONS) {
    if (existsSync(base + extension)) return { entry: base + extension, exportName };
  }
  throw new Error(
    `no source for handler "${handler}" in ${serviceDir} (tried ${SOURCE_EXTENSIONS.join(', ')})`,
  );
}

let buildsInFlight = 0;
const buildQueue: (() => void)[] = [];
let esbuildStopTimer: NodeJS.Timeout | undefined;

/**
 * esbuild's build(), at most MAX_PARALLEL_BUILDS at a time, stopping esbuild's service process once
 * no build (of any Bundler in this process) is in flight.
 */
async function runBuild(options: BuildOptions & { metafile: true; write: false }) {
  if (esbuildStopTimer) {
    clearTimeout(esbuildStopTimer);
    esbuildStopTimer = undefined;
  }
  buildsInFlight++;
  try {
    if (buildsInFlight > MAX_PARALLEL_BUILDS) {
      await new Promise<void>((resolveTurn) => buildQueue.push(resolveTurn));
    }
    return await build(options);
  } finally {
    buildsInFlight--;
    buildQueue.shift()?.();
    if (buildsInFlight === 0) {
      esbuildStopTimer = setTimeout(() => {
        esbuildStopTimer = undefined;
        if (buildsInFlight === 0) void stopEsbuild();
      }, ESBUILD_IDLE_STOP_MS);
      esbuildStopTimer.unref();
    }
  }
}

/**
 * What a bundle on disk records beside it (`index.js.inputs.json`). FORMAT changes whenever what a
 * bundle holds changes (build options, plugins), so bundles of another format are built again.
 */
const MANIFEST_FORMAT = 2;

interface BundleManifest {
  format: number;
  version: string;
  inputs: [string, number][];
}

export class Bundler {
  private readonly bundles = new Map<string, Bundle>();
  private readonly building = new Map<string, Promise<Bundle>>();

  constructor(private readonly options: BundlerOptions) {}

  /** The bundle of a source, rebuilt when a bundled source file changed; one build at a time per entry. */
  async current(source: BundleSource): Promise<Bundle> {
    let existing = this.bundles.get(source.entry);
    if (!existing) {
      existing = this.fromDisk(source);
      if (existing) this.bundles.set(source.entry, existing);
    }
    if (existing) {
      const now = Date.now();
      if (now - existing.checkedAt < SOURCE_CHECK_INTERVAL_MS) return existing;
      if (!changed(existing)) {
        existing.checkedAt = now;
        return existing;
      }
    }
    let inFlight = this.building.get(source.entry);
    if (!inFlight) {
      inFlight = this.bundle(source).finally(() => this.building.delete(source.entry));
      this.building.set(source.entry, inFlight);
    }
    return inFlight;
  }

  private outfileOf({ entry, service, serviceDir }: BundleSource): string {
    const rel = relative(serviceDir, entry).replace(/\.[^.]+$/, '');
    const key = createHash('sha1').update(entry).digest('hex').slice(0, 10);
    return join(this.options.buildDir, service, `${rel.replace(/[\\/]/g, '_')}-${key}`, 'index.js');
  }

  /** The bundle an earlier start left, when it is still current: none of its inputs changed since. */
  private fromDisk(source: BundleSource): Bundle | undefined {
    const outfile = this.outfileOf(source);
    let manifest: BundleManifest;
    try {
      manifest = JSON.parse(readFileSync(`${outfile}.inputs.json`, 'utf8')) as BundleManifest;
    } catch {
      return undefined;
    }
    if (manifest.format !== MANIFEST_FORMAT || !existsSync(outfile)) return undefined;
    const bundle: Bundle = {
      path: outfile,
      version: manifest.version,
      inputs: new Map(manifest.inputs),
      checkedAt: Date.now(),
    };
    return changed(bundle) ? undefined : bundle;
  }

  private async bundle(source: BundleSource): Promise<Bundle> {
    const { entry, serviceDir } = source;
    const outfile = this.outfileOf(source);
    const startedAt = Date.now();
    const result = await runBuild({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      // A source map file beside the bundle, without the sources' text: stack traces point at the
      // TypeScript, while a worker holds neither an inline base64 copy of the map in the bundle's
      // source string nor every bundled source's text (a few MB per function).
      sourcemap: 'linked',
      sourcesContent: false,
      minifyWhitespace: true,
      metafile: true,
      write: false,
      logLevel: 'silent',
      absWorkingDir: serviceDir,
      external: this.options.external ?? DEFAULT_EXTERNAL,
      plugins: [sharedPackages],
    });
    const code = result.outputFiles.find((file) => file.path.endsWith('.js'));
    const map = result.outputFiles.find((file) => file.path.endsWith('.js.map'));
    if (!code) throw new Error(`esbuild produced no output for ${entry}`);
    mkdirSync(dirname(outfile), { recursive: true });
    // Write then rename, so a worker never loads a half-written file; the map first, as loading the
    // bundle reads it.
    const suffix = `${process.pid}.${Date.now()}.tmp`;
    if (map) {
      writeFileSync(`${outfile}.map.${suffix}`, map.contents);
      renameSync(`${outfile}.map.${suffix}`, `${outfile}.map`);
    }
    writeFileSync(`${outfile}.${suffix}`, code.contents);
    renameSync(`${outfile}.${suffix}`, outfile);
    const inputs = new Map<string, number>();
    const manifests = new Set<string>();
    for (const input of Object.keys(result.metafile.inputs)) {
      // Dependencies change rarely; watching only our sources keeps the per-invocation check cheap.
      if (input.includes('node_modules/')) continue;
      const path = resolve(serviceDir, input);
      inputs.set(path, mtimeOf(path));
      // A package's package.json decides what a bundle holds of it too ("sideEffects", "main").
      const manifest = findUp('package.json', dirname(path));
      if (manifest) manifests.add(manifest);
    }
    for (const manifest of manifests) inputs.set(manifest, mtimeOf(manifest));
    // Packages are required from node_modules by path (sharedPackages): an install that moves them
    // makes the bundle stale, and it changes the lock file.
    const lockFile = findUp('package-lock.json', serviceDir);
    if (lockFile) inputs.set(lockFile, mtimeOf(lockFile));
    const bundle: Bundle = {
      path: outfile,
      version: `${startedAt}-${code.hash}`,
      inputs,
      checkedAt: Date.now(),
    };
    const manifest: BundleManifest = {
      format: MANIFEST_FORMAT,
      version: bundle.version,
      inputs: [...inputs],
    };
    writeFileSync(`${outfile}.inputs.json.${suffix}`, JSON.stringify(manifest));
    renameSync(`${outfile}.inputs.json.${suffix}`, `${outfile}.inputs.json`);
    this.bundles.set(entry, bundle);
    return bundle;
  }
}

function findUp(name: string, from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, name))) return join(dir, name);
    if (dirname(dir) === dir) return undefined;
  }
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function changed(bundle: Bundle): boolean {
  for (const [path, mtime] of bundle.inputs) if (mtimeOf(path) !== mtime) return true;
  return false;
}
