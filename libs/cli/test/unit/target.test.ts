import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTarget, TargetError } from '../../src/target';

function repoWithDevJson(facts: object | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'sy-cli-'));
  writeFileSync(join(root, 'serverless-compose.yml'), 'services: {}\n');
  if (facts) {
    mkdirSync(join(root, '.switchyard'));
    writeFileSync(join(root, '.switchyard', 'dev.json'), JSON.stringify(facts));
  }
  return root;
}

const facts = (pid: number) => ({ apiUrl: 'http://127.0.0.1:3000', region: 'eu-west-1', endpoints: {}, pid });

describe('resolveTarget', () => {
  it('targets AWS when a non-local stage is given, with the region from the flag', () => {
    expect(resolveTarget({ stage: 'prod', region: 'eu-central-1' })).toEqual({
      kind: 'aws',
      stage: 'prod',
      region: 'eu-central-1',
    });
  });

  it('targets the running local cloud found through dev.json from any folder below the root', () => {
    const root = repoWithDevJson(facts(process.pid));
    mkdirSync(join(root, 'services', 'x'), { recursive: true });
    const target = resolveTarget({}, join(root, 'services', 'x'));
    expect(target.kind).toBe('local');
    expect(target.region).toBe('eu-west-1');
  });

  it('says to run npm start when there is no dev.json', () => {
    const root = repoWithDevJson(undefined);
    expect(() => resolveTarget({}, root)).toThrow(TargetError);
    expect(() => resolveTarget({}, root)).toThrow(/npm start/);
  });

  it('refuses a dev.json left behind by a local cloud that is no longer running', () => {
    const root = repoWithDevJson(facts(2 ** 22 + 12345));
    expect(() => resolveTarget({}, root)).toThrow(/is not running/);
  });
});
