// The CLI against a real local cloud running identity: `main([...])` in process, output captured.
// Needs identity's operator routes (POST/GET /operator/tenants..., /operator/tenants/{id}/keys,
// /operator/keys/{keyId}, /operator/keys/revoke-by-email); a missing route fails these tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud } from '../../../local-cloud/src';
import type { RunningLocalCloud } from '../../../local-cloud/src';
import { createKey, runCli, useDevJson } from '../../src/testing';

let cloud: RunningLocalCloud | undefined;
let restoreDevJson: () => void = () => {};

beforeAll(async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'sy-cli-it-'));
  cloud = await startLocalCloud({ services: ['identity'], stateDir });
  restoreDevJson = useDevJson(join(stateDir, 'dev.json'));
});

afterAll(async () => {
  await cloud?.stop();
  restoreDevJson();
});

const run = (...args: string[]) => runCli(args);

const keysStatus = async (key: string) =>
  (await fetch(`${cloud!.apiUrl}/keys`, { headers: { authorization: `Bearer ${key}` } })).status;

describe('switchyard against the local cloud (no flags)', () => {
  let tenantId: string;
  let adminKey: string;

  it('tenants create: a tenant with its admin user and a working admin key', async () => {
    const { code, out, err } = await run(
      'tenants',
      'create',
      '--name',
      'Acme',
      '--admin-email',
      'ops@acme.test',
      '--json',
    );
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const created = JSON.parse(out);
    tenantId = created.tenant.tenantId;
    adminKey = created.apiKey.key;
    expect(created.adminUser.email).toBe('ops@acme.test');
    expect(await keysStatus(adminKey)).toBe(200);
  });

  it('tenants create: bad input is the API error with its correlation id, exit 1', async () => {
    const { code, err } = await run('tenants', 'create', '--name', 'Acme', '--admin-email', 'not-an-email');
    expect(code).toBe(1);
    expect(err).toMatch(/^switchyard: .+ \(correlation id [\w-]+\)/);
  });

  it('keys create / list / revoke: the key works until it is revoked', async () => {
    const created = await run(
      'keys',
      'create',
      '--tenant',
      tenantId,
      '--role',
      'admin',
      '--email',
      'dev@acme.test',
      '--json',
    );
    expect(created.code).toBe(0);
    const key = JSON.parse(created.out);
    expect(await keysStatus(key.key)).toBe(200);

    const listed = await run('keys', 'list', '--tenant', tenantId, '--json');
    expect(listed.code).toBe(0);
    const ids = JSON.parse(listed.out).map((item: { keyId: string }) => item.keyId);
    expect(ids).toContain(key.keyId);
    expect(listed.out).not.toContain(key.key);

    const revoked = await run('keys', 'revoke', key.keyId);
    expect(revoked.code).toBe(0);
    expect(await keysStatus(key.key)).toBe(401);
  });

  it('keys revoke-by-email: every key of the e-mail is refused afterwards', async () => {
    const keys: string[] = [];
    for (const role of ['admin', 'admin'])
      keys.push((await createKey(tenantId, role, { email: 'leaver@acme.test' })).key);
    const { code, out } = await run('keys', 'revoke-by-email', 'leaver@acme.test', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out).revoked).toHaveLength(2);
    for (const key of keys) expect(await keysStatus(key)).toBe(401);
    expect(await keysStatus(adminKey)).toBe(200);
  });
});
