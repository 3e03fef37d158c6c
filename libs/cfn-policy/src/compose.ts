import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { isRecord } from './intrinsics';

export const COMPOSE_FILE = 'serverless-compose.yml';

export interface ComposeService {
  /** The key in serverless-compose.yml's services map. */
  name: string;
  /** The path as written in serverless-compose.yml, relative to the repository root. */
  path: string;
  /** Absolute directory of the service. */
  dir: string;
}

/** The services serverless-compose.yml lists, in file order; the one list packaging and the local cloud share. */
export function listComposeServices(root: string): ComposeService[] {
  const file = join(root, COMPOSE_FILE);
  const config: unknown = parse(readFileSync(file, 'utf8'));
  // osls compose itself refuses a file without a services object, so we do too.
  if (!isRecord(config) || !isRecord(config.services)) {
    throw new Error(`${file} must contain a "services" map (write "services: {}" when there are none)`);
  }
  return Object.entries(config.services).map(([name, value]) => {
    if (!isRecord(value) || typeof value.path !== 'string') {
      throw new Error(`${file}: service "${name}" must have a "path"`);
    }
    return { name, path: value.path, dir: resolve(root, value.path) };
  });
}

/** Folders under services/ that hold a serverless.yml, as repository-relative paths (services/<name>). */
export function listServiceFolders(root: string): string[] {
  const servicesDir = join(root, 'services');
  if (!existsSync(servicesDir)) return [];
  return readdirSync(servicesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(servicesDir, entry.name, 'serverless.yml')))
    .map((entry) => `services/${entry.name}`)
    .sort();
}
