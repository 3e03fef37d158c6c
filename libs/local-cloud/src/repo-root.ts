/**
 * Where the repository is: the folder holding serverless-compose.yml, the one list of services that
 * the local cloud, packaging and the CLI all start from. The one implementation every tool uses;
 * it imports nothing but node's fs and path, so the CLI can load it without the local cloud.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const REPO_ROOT_MARKER = 'serverless-compose.yml';

/** The nearest folder at or above `start` that holds serverless-compose.yml; undefined when none does. */
export function findRepoRoot(start: string = process.cwd()): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, REPO_ROOT_MARKER))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The repository this code runs from (or `start`'s); throws outside one. */
export function repoRoot(start: string = __dirname): string {
  const root = findRepoRoot(start);
  if (!root) throw new Error(`cannot find the repository root (${REPO_ROOT_MARKER})`);
  return root;
}

/**
 * Where the local cloud keeps what it builds for a repository (bundles, the DynamoDB launcher, V8's
 * compile cache), whatever the state folder: bundles resolve the packages they leave out from the
 * repository's node_modules.
 */
export function localBuildDir(root: string): string {
  return join(root, '.switchyard', 'build');
}
