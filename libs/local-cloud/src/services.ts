import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { listComposeServices } from '@switchyard/cfn-policy/src/compose';
import { packageService, packagedTemplatePath, readPackagedTemplate } from './packaging';
import type { PackagedService } from './types';
import { localBuildDir } from './repo-root';

export interface ServiceSource {
  name: string;
  dir: string;
}

/** The services `npm start` runs: exactly those listed in serverless-compose.yml. */
export function composeServices(repoRoot: string): ServiceSource[] {
  return listComposeServices(repoRoot).map((service) => ({
    name: service.name,
    dir: resolve(repoRoot, service.path),
  }));
}

/** Folders whose YAML files a serverless.yml includes with `${file(...)}` (functions and resources). */
const INCLUDED_FOLDERS = ['functions', 'resources'];

/** The YAML files of `folder`, sorted, or none when it does not exist. */
function includedFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(folder, name));
}

/**
 * Files of the repository every packaged template may depend on: the shared defaults, the compose
 * list (the platform's dashboard has a row per service), our osls plugins (the alarms, one role per
 * function, template-only packaging) and the version of osls itself.
 */
const SHARED_INPUTS = [
  'serverless.common.yml',
  'serverless-compose.yml',
  'libs/monitoring/index.cjs',
  'libs/function-roles/index.cjs',
  'libs/local-packaging/index.cjs',
  'libs/local-packaging/esbuild.cjs',
  'node_modules/serverless/package.json',
];

/**
 * What the packaged template depends on. The template is a function of the service's serverless.yml,
 * the files it includes (functions/*.yml, resources/*.yml), the shared inputs above, its
 * package.json and the stage; handler code only changes the zips, which the local cloud does not
 * use (it bundles from source for "edit and go").
 */
export function templateFingerprint(
  serviceDir: string,
  repoRoot: string,
  stage: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const hash = createHash('sha256').update(`stage=${stage}\n`);
  const variables = new Set<string>();
  for (const file of [
    join(serviceDir, 'serverless.yml'),
    join(serviceDir, 'package.json'),
    ...SHARED_INPUTS.map((file) => join(repoRoot, file)),
    ...INCLUDED_FOLDERS.flatMap((folder) => includedFiles(join(serviceDir, folder))),
  ]) {
    hash.update(`${relative(serviceDir, file)}\n`);
    if (!existsSync(file)) continue;
    const content = readFileSync(file);
    hash.update(content);
    for (const match of content.toString('utf8').matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)/g))
      variables.add(match[1]!);
  }
  // `${env:NAME}` makes the template a function of the shell too (a digest window set for `npm start`).
  for (const name of [...variables].sort()) hash.update(`env ${name}=${env[name] ?? ''}\n`);
  return hash.digest('hex');
}

function fingerprintFile(serviceDir: string): string {
  return join(serviceDir, '.serverless', 'switchyard-fingerprint');
}

/**
 * Packages every service whose template is missing or stale, two at a time (2 cores), and returns
 * the packaged templates. Packaging is offline and makes the template only (the local cloud bundles
 * functions from source itself); see packageService.
 */
export async function packageServices(
  sources: ServiceSource[],
  options: { repoRoot: string; stage: string; force?: boolean; log?: (line: string) => void },
): Promise<PackagedService[]> {
  const log = options.log ?? (() => undefined);
  const queue = [...sources];
  const worker = async (): Promise<void> => {
    for (let source = queue.shift(); source; source = queue.shift()) {
      const fingerprint = templateFingerprint(source.dir, options.repoRoot, options.stage);
      const stamp = fingerprintFile(source.dir);
      const fresh =
        !options.force &&
        existsSync(packagedTemplatePath(source.dir)) &&
        existsSync(stamp) &&
        readFileSync(stamp, 'utf8') === fingerprint;
      if (fresh) continue;
      const started = Date.now();
      log(`packaging ${source.name} (stage ${options.stage})`);
      await packageService(source.dir, options.stage, {
        templateOnly: true,
        compileCacheDir: join(localBuildDir(options.repoRoot), 'compile-cache'),
      });
      writeFileSync(stamp, fingerprint);
      log(`packaged ${source.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  };
  await Promise.all([worker(), worker()]);
  return sources.map((source) => ({
    name: source.name,
    dir: source.dir,
    stage: options.stage,
    template: readPackagedTemplate(source.dir),
  }));
}
