// The demo tenant `npm start` seeds through identity's operator API (SigV4-signed with the local
// credentials), observed from outside: dev.json, the operator API and the tenant-admin API.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud } from '../../../src';
import type { RunningLocalCloud } from '../../../src';
import { signLocalRequest } from '../../../src/runner/gateway/iam-auth';

async function operatorGet(cloud: RunningLocalCloud, path: string): Promise<Response> {
  const url = new URL(path, cloud.apiUrl);
  const headers = await signLocalRequest(url, { method: 'GET' }, cloud.region);
  return fetch(url, { headers });
}

describe('demo tenant seeding (identity running, --persist)', () => {
  let cloud: RunningLocalCloud | undefined;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'sy-seed-'));
    cloud = await startLocalCloud({ services: ['identity'], stateDir, persist: true });
  });

  afterAll(async () => {
    await cloud?.stop();
  });

  it('creates the demo tenant and puts its admin key into dev.json; the key works on GET /keys', async () => {
    const facts = JSON.parse(readFileSync(join(stateDir, 'dev.json'), 'utf8'));
    expect(facts.missing).toEqual([]);
    expect(facts.tenantId).toEqual(expect.any(String));
    expect(facts.apiKey).toMatch(/^sy_/);
    expect(facts.adminEmail).toBe('admin@demo.switchyard.local');
    expect(cloud!.tenantId).toBe(facts.tenantId);

    const keys = await fetch(`${cloud!.apiUrl}/keys`, {
      headers: { authorization: `Bearer ${facts.apiKey}` },
    });
    expect(keys.status).toBe(200);

    const tenant = await operatorGet(cloud!, `/operator/tenants/${facts.tenantId}`);
    expect(tenant.status).toBe(200);
    expect(JSON.stringify(await tenant.json())).toContain('Demo');
  });

  it('refuses the operator route without a signature (AWS_IAM), as API Gateway does', async () => {
    const response = await fetch(`${cloud!.apiUrl}/operator/tenants/${cloud!.tenantId}`);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ message: 'Forbidden', error: { code: 'forbidden' } });
  });

  it('reuses the demo tenant and key across a restart with --persist', async () => {
    const first = { tenantId: cloud!.tenantId, apiKey: cloud!.apiKey };
    expect(existsSync(join(stateDir, 'demo.json'))).toBe(true);
    await cloud!.stop();
    cloud = await startLocalCloud({ services: ['identity'], stateDir, persist: true });
    expect({ tenantId: cloud.tenantId, apiKey: cloud.apiKey }).toEqual(first);
    expect(cloud.missing).toEqual([]);
  });
});
