import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listComposeServices, listServiceFolders } from '../../src';

function repo(compose: string, folders: string[] = []) {
  const root = mkdtempSync(join(tmpdir(), 'compose-'));
  writeFileSync(join(root, 'serverless-compose.yml'), compose);
  for (const folder of folders) {
    mkdirSync(join(root, folder), { recursive: true });
    writeFileSync(join(root, folder, 'serverless.yml'), 'service: x\n');
  }
  return root;
}

describe('listComposeServices', () => {
  it('lists services in file order with their folders', () => {
    const root = repo(
      'services:\n  identity:\n    path: services/identity\n  ingest:\n    path: services/ingest\n',
    );
    expect(listComposeServices(root)).toEqual([
      { name: 'identity', path: 'services/identity', dir: join(root, 'services/identity') },
      { name: 'ingest', path: 'services/ingest', dir: join(root, 'services/ingest') },
    ]);
  });

  it('accepts the empty map osls compose accepts', () => {
    expect(listComposeServices(repo('services: {}\n'))).toEqual([]);
  });

  it('refuses a file without a services map, and a service without a path', () => {
    expect(() => listComposeServices(repo('services:\n'))).toThrow(/must contain a "services" map/);
    expect(() => listComposeServices(repo('services:\n  a: {}\n'))).toThrow(/service "a" must have a "path"/);
  });
});

describe('listServiceFolders', () => {
  it('lists only folders under services/ that hold a serverless.yml', () => {
    const root = repo('services: {}\n', ['services/b', 'services/a']);
    mkdirSync(join(root, 'services', 'not-a-service'));
    expect(listServiceFolders(root)).toEqual(['services/a', 'services/b']);
  });
});
