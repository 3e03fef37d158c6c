import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { templateFingerprint } from '../../../src/services';

function serviceTree() {
  const root = mkdtempSync(join(tmpdir(), 'sy-fp-'));
  writeFileSync(join(root, 'serverless.common.yml'), 'runtime: nodejs22.x\n');
  const dir = join(root, 'svc');
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'serverless.yml'), 'service: svc\n');
  writeFileSync(join(dir, 'package.json'), '{}');
  writeFileSync(join(dir, 'src', 'handler.ts'), 'export const handler = 1;');
  return { root, dir };
}

describe('templateFingerprint (when a service must be packaged again)', () => {
  it('changes with serverless.yml, the shared serverless.common.yml and the stage', () => {
    const { root, dir } = serviceTree();
    const before = templateFingerprint(dir, root, 'local');
    expect(templateFingerprint(dir, root, 'local')).toBe(before);
    expect(templateFingerprint(dir, root, 'prod')).not.toBe(before);
    writeFileSync(join(root, 'serverless.common.yml'), 'runtime: nodejs24.x\n');
    const afterCommon = templateFingerprint(dir, root, 'local');
    expect(afterCommon).not.toBe(before);
    writeFileSync(join(dir, 'serverless.yml'), 'service: svc2\n');
    expect(templateFingerprint(dir, root, 'local')).not.toBe(afterCommon);
  });

  it('changes with the functions/ and resources/ files serverless.yml includes', () => {
    const { root, dir } = serviceTree();
    const before = templateFingerprint(dir, root, 'local');
    mkdirSync(join(dir, 'functions'));
    writeFileSync(join(dir, 'functions', 'api.yml'), 'hello: {}\n');
    const withFunctions = templateFingerprint(dir, root, 'local');
    expect(withFunctions).not.toBe(before);
    writeFileSync(join(dir, 'functions', 'api.yml'), 'hello:\n  timeout: 10\n');
    const changed = templateFingerprint(dir, root, 'local');
    expect(changed).not.toBe(withFunctions);
    mkdirSync(join(dir, 'resources'));
    writeFileSync(join(dir, 'resources', 'queues.yml'), 'Resources: {}\n');
    expect(templateFingerprint(dir, root, 'local')).not.toBe(changed);
  });

  it('changes with the environment variables the templates read (${env:NAME}), and no others', () => {
    const { root, dir } = serviceTree();
    writeFileSync(join(dir, 'serverless.yml'), "params:\n  default:\n    window: ${env:SY_WINDOW, '900'}\n");
    const unset = templateFingerprint(dir, root, 'local', {});
    expect(templateFingerprint(dir, root, 'local', { OTHER: '1' })).toBe(unset);
    const sixty = templateFingerprint(dir, root, 'local', { SY_WINDOW: '60' });
    expect(sixty).not.toBe(unset);
    expect(templateFingerprint(dir, root, 'local', { SY_WINDOW: '60' })).toBe(sixty);
  });

  it('changes with our osls plugins and the version of osls', () => {
    const { root, dir } = serviceTree();
    const before = templateFingerprint(dir, root, 'local');
    mkdirSync(join(root, 'libs', 'function-roles'), { recursive: true });
    writeFileSync(join(root, 'libs', 'function-roles', 'index.cjs'), 'module.exports = 1;');
    const withRoles = templateFingerprint(dir, root, 'local');
    expect(withRoles).not.toBe(before);
    writeFileSync(join(root, 'libs', 'function-roles', 'index.cjs'), 'module.exports = 2;');
    const rolesChanged = templateFingerprint(dir, root, 'local');
    expect(rolesChanged).not.toBe(withRoles);
    mkdirSync(join(root, 'node_modules', 'serverless'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'serverless', 'package.json'), '{"version":"4.3.1"}');
    const osls = templateFingerprint(dir, root, 'local');
    expect(osls).not.toBe(rolesChanged);
    writeFileSync(join(root, 'node_modules', 'serverless', 'package.json'), '{"version":"4.3.2"}');
    expect(templateFingerprint(dir, root, 'local')).not.toBe(osls);
  });

  it('does not change with handler code, which the local cloud bundles from source itself', () => {
    const { root, dir } = serviceTree();
    const before = templateFingerprint(dir, root, 'local');
    writeFileSync(join(dir, 'src', 'handler.ts'), 'export const handler = 2;');
    expect(templateFingerprint(dir, root, 'local')).toBe(before);
  });
});
