import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { KEY_SHOWN_ONCE } from '../../src/commands/keys';
import { createKey, runCli as run, runCliJson, useDevJson } from '../../src/testing';
import { FakeOperatorApi } from './fake-operator-api';

const region = 'eu-west-1';
const api = new FakeOperatorApi(region);
let apiUrl: string;
let restoreDevJson: () => void = () => {};

beforeAll(async () => {
  apiUrl = await api.start();
  // The running local cloud, as the CLI finds it: dev.json written by a live process (this one).
  const dir = mkdtempSync(join(tmpdir(), 'sy-cli-cmd-'));
  const devJson = join(dir, 'dev.json');
  writeFileSync(
    devJson,
    JSON.stringify({
      apiUrl,
      region,
      endpoints: {},
      pid: process.pid,
      services: [],
      missing: [],
      alarms: [],
    }),
  );
  restoreDevJson = useDevJson(devJson);
});

afterAll(async () => {
  await api.stop();
  restoreDevJson();
});

/** `tenants create` for the same tenant every time (the fake API gives each a new id). */
const CREATE_ACME = ['tenants', 'create', '--name', 'Acme', '--admin-email', 'ops@acme.test'];

async function createTenant(): Promise<{ tenantId: string; key: string }> {
  const created = await runCliJson<{ tenant: { tenantId: string }; apiKey: { key: string } }>(CREATE_ACME);
  return { tenantId: created.tenant.tenantId, key: created.apiKey.key };
}

describe('switchyard tenants create', () => {
  it('creates a tenant through the signed operator route and prints its admin key once, with a warning', async () => {
    const { code, out, err } = await run(CREATE_ACME);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const request = api.requests.at(-1)!;
    expect(request).toMatchObject({
      method: 'POST',
      url: '/operator/tenants',
      body: { name: 'Acme', adminEmail: 'ops@acme.test' },
    });
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/,
    );
    expect(out).toMatch(/Tenant id\s+ten_\d+/);
    expect(out).toMatch(/Admin user\s+usr_\d+ \(ops@acme\.test\)/);
    expect(out).toMatch(/API key\s+sy_live_k\d+_secretk\d+/);
    expect(out).toContain(KEY_SHOWN_ONCE);
  });

  it('prints only JSON with --json', async () => {
    const { code, out } = await run([...CREATE_ACME, '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed.tenant.name).toBe('Acme');
    expect(parsed.apiKey.key).toMatch(/^sy_live_/);
  });

  it('is a usage error (exit 2) without --name or --admin-email', async () => {
    expect((await run(['tenants', 'create', '--name', 'Acme'])).code).toBe(2);
    expect((await run(['tenants', 'create', '--admin-email', 'a@b.test'])).code).toBe(2);
    expect((await run(['tenants', 'frobnicate'])).code).toBe(2);
  });
});

describe('switchyard keys', () => {
  it('create: posts role, owner and description for the tenant and prints the key once', async () => {
    const { tenantId } = await createTenant();
    const { code, out } = await run([
      'keys',
      'create',
      '--tenant',
      tenantId,
      '--role',
      'creator',
      '--email',
      'dev@acme.test',
      '--description',
      'CI',
    ]);
    expect(code).toBe(0);
    expect(api.requests.at(-1)).toMatchObject({
      method: 'POST',
      url: `/operator/tenants/${tenantId}/keys`,
      body: { role: 'creator', ownerEmail: 'dev@acme.test', description: 'CI' },
    });
    expect(out).toMatch(/Role\s+creator/);
    expect(out).toMatch(/Owner\s+dev@acme\.test/);
    expect(out).toMatch(/API key\s+sy_live_/);
    expect(out).toContain(KEY_SHOWN_ONCE);
  });

  it('create --json prints the created key as JSON only', async () => {
    const { tenantId } = await createTenant();
    const { code, out } = await run(['keys', 'create', '--tenant', tenantId, '--role', 'viewer', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      tenantId,
      role: 'viewer',
      status: 'active',
      key: expect.stringMatching(/^sy_live_/),
    });
  });

  it('create refuses an unknown role or a missing tenant as usage errors (exit 2), before calling the API', async () => {
    const before = api.requests.length;
    expect((await run(['keys', 'create', '--tenant', 'ten_1', '--role', 'owner'])).code).toBe(2);
    expect((await run(['keys', 'create', '--role', 'admin'])).code).toBe(2);
    expect(api.requests.length).toBe(before);
  });

  it('list: follows every page and prints a table without secrets; --json prints the array', async () => {
    const { tenantId } = await createTenant();
    for (const role of ['viewer', 'creator', 'admin']) await createKey(tenantId, role);
    const table = await run(['keys', 'list', '--tenant', tenantId]);
    expect(table.code).toBe(0);
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KEY ID\s+ROLE\s+STATUS\s+OWNER\s+DESCRIPTION\s+CREATED\s+LAST USED$/);
    expect(lines).toHaveLength(1 + 4); // the admin key from tenants create, and three more
    expect(table.out).not.toMatch(/secret/);
    const listing = api.requests.filter((r) => r.method === 'GET').slice(-2);
    expect(listing.map((r) => r.url)).toEqual([
      `/operator/tenants/${tenantId}/keys?limit=100`,
      `/operator/tenants/${tenantId}/keys?limit=100&cursor=2`,
    ]);

    const json = await run(['keys', 'list', '--tenant', tenantId, '--json']);
    const items = JSON.parse(json.out);
    expect(items.map((key: { role: string }) => key.role)).toEqual(['admin', 'viewer', 'creator', 'admin']);
  });

  it('revoke: deletes the key through the operator route', async () => {
    const { tenantId } = await createTenant();
    const created = await createKey(tenantId, 'viewer');
    const { code, out } = await run(['keys', 'revoke', created.keyId]);
    expect(code).toBe(0);
    expect(out).toBe(`Revoked API key ${created.keyId}.\n`);
    expect(api.requests.at(-1)).toMatchObject({ method: 'DELETE', url: `/operator/keys/${created.keyId}` });
    expect(api.keys.find((key) => key.keyId === created.keyId)?.status).toBe('revoked');
  });

  it('revoke-by-email: revokes every key of the e-mail and lists them', async () => {
    const { tenantId } = await createTenant();
    const ids: string[] = [];
    for (const role of ['viewer', 'creator'])
      ids.push((await createKey(tenantId, role, { email: 'leaver@acme.test' })).keyId);
    const { code, out } = await run(['keys', 'revoke-by-email', 'leaver@acme.test']);
    expect(code).toBe(0);
    expect(out).toBe(`Revoked 2 API key(s) owned by leaver@acme.test: ${ids.join(', ')}\n`);
    expect(api.requests.at(-1)).toMatchObject({
      method: 'POST',
      url: '/operator/keys/revoke-by-email',
      body: { email: 'leaver@acme.test' },
    });
    const again = await run(['keys', 'revoke-by-email', 'leaver@acme.test', '--json']);
    expect(JSON.parse(again.out)).toEqual({ revoked: [] });
  });

  it("prints the API's error as `switchyard: <message> (correlation id <id>)` and exits 1", async () => {
    const { code, out, err } = await run(['keys', 'revoke', 'k_unknown']);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe('switchyard: No such API key. (correlation id corr-123)\n');
    const missingTenant = await run(['keys', 'list', '--tenant', 'ten_nope', '--json']);
    expect(missingTenant).toEqual({
      code: 1,
      out: '',
      err: 'switchyard: No such tenant. (correlation id corr-123)\n',
    });
  });

  it('says so when the signature is refused (wrong secret for the local cloud)', async () => {
    const { code, err } = await run(['tenants', 'create', '--name', 'A', '--admin-email', 'a@b.test'], {
      credentials: { accessKeyId: 'AKIAREAL', secretAccessKey: 'not-local' },
    });
    expect(code).toBe(1);
    expect(err).toMatch(
      /^switchyard: POST \/operator\/tenants was refused \(403 The request signature we calculated/,
    );
  });
});

describe('switchyard users', () => {
  it('invite: posts the e-mail (and Admins with --admin) for the tenant and says who was invited', async () => {
    const { tenantId } = await createTenant();
    const { code, out, err } = await run([
      'users',
      'invite',
      '--tenant',
      tenantId,
      '--email',
      'bo@acme.test',
    ]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(api.requests.at(-1)).toMatchObject({
      method: 'POST',
      url: `/operator/tenants/${tenantId}/users`,
      body: { email: 'bo@acme.test' },
    });
    expect(out).toMatch(
      /^Invitation sent\.\n\s+User id\s+usr_\d+\n\s+Tenant\s+ten_\d+\n\s+E-mail\s+bo@acme\.test\n\s+Groups\s+\(none\)\n$/,
    );

    const admin = await run([
      'users',
      'invite',
      '--tenant',
      tenantId,
      '--email',
      'cy@acme.test',
      '--admin',
      '--json',
    ]);
    expect(admin.code).toBe(0);
    expect(api.requests.at(-1)?.body).toEqual({ email: 'cy@acme.test', groups: ['Admins'] });
    expect(JSON.parse(admin.out)).toMatchObject({
      tenantId,
      email: 'cy@acme.test',
      groups: ['Admins'],
      role: 'admin',
    });
  });

  it("invite: prints the API's refusals (taken address, invalid field) with exit 1, and usage errors with exit 2", async () => {
    const { tenantId } = await createTenant();
    await run(['users', 'invite', '--tenant', tenantId, '--email', 'dup@acme.test']);
    const taken = await run(['users', 'invite', '--tenant', tenantId, '--email', 'dup@acme.test']);
    expect(taken).toEqual({
      code: 1,
      out: '',
      err: 'switchyard: The e-mail address already belongs to a user. (correlation id corr-123)\n',
    });
    const invalid = await run(['users', 'invite', '--tenant', tenantId, '--email', 'nope']);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toBe(
      'switchyard: Request validation failed (correlation id corr-456)\n  email: a valid e-mail address\n',
    );
    const before = api.requests.length;
    expect((await run(['users', 'invite', '--tenant', tenantId])).code).toBe(2);
    expect((await run(['users', 'invite', '--email', 'x@acme.test'])).code).toBe(2);
    expect((await run(['users', 'remove'])).code).toBe(2);
    expect(api.requests.length).toBe(before);
  });

  it('list: follows every page and prints a table; --json prints the array', async () => {
    const { tenantId } = await createTenant();
    for (const email of ['a@list.test', 'b@list.test', 'c@list.test'])
      await run(['users', 'invite', '--tenant', tenantId, '--email', email]);
    const table = await run(['users', 'list', '--tenant', tenantId]);
    expect(table.code).toBe(0);
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^USER ID\s+E-MAIL\s+NAME\s+GROUPS\s+STATUS\s+CREATED$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[1])).toEqual([
      'a@list.test',
      'b@list.test',
      'c@list.test',
    ]);
    expect(
      api.requests
        .filter((r) => r.method === 'GET')
        .slice(-2)
        .map((r) => r.url),
    ).toEqual([
      `/operator/tenants/${tenantId}/users?limit=100`,
      `/operator/tenants/${tenantId}/users?limit=100&cursor=2`,
    ]);
    const json = JSON.parse((await run(['users', 'list', '--tenant', tenantId, '--json'])).out);
    expect(json.map((user: { email: string }) => user.email)).toEqual([
      'a@list.test',
      'b@list.test',
      'c@list.test',
    ]);
    const other = await createTenant();
    expect((await run(['users', 'list', '--tenant', other.tenantId])).out).toBe(
      `Tenant ${other.tenantId} has no users.\n`,
    );
  });

  it('remove: deletes the user through the operator route; the last admin is refused with the API error', async () => {
    const { tenantId } = await createTenant();
    const invited = await runCliJson<{ userId: string }>([
      'users',
      'invite',
      '--tenant',
      tenantId,
      '--email',
      'rm@acme.test',
    ]);
    const { code, out } = await run(['users', 'remove', invited.userId]);
    expect({ code, out }).toEqual({ code: 0, out: `Removed user ${invited.userId}.\n` });
    expect(api.requests.at(-1)).toMatchObject({ method: 'DELETE', url: `/operator/users/${invited.userId}` });
    expect(JSON.parse((await run(['users', 'list', '--tenant', tenantId, '--json'])).out)).toEqual([]);

    const admin = await runCliJson<{ userId: string }>([
      'users',
      'invite',
      '--tenant',
      tenantId,
      '--email',
      'only-admin@acme.test',
      '--admin',
    ]);
    const refused = await run(['users', 'remove', admin.userId, '--json']);
    expect(refused).toEqual({
      code: 1,
      out: '',
      err: 'switchyard: A tenant must keep at least one active admin. (correlation id corr-123)\n',
    });
  });
});

describe('against AWS (--stage)', () => {
  it('finds the one API URL in the platform-<stage> stack outputs and signs with the given credentials', async () => {
    const cloudFormation = mockClient(CloudFormationClient);
    cloudFormation.on(DescribeStacksCommand, { StackName: 'platform-prod' }).resolves({
      Stacks: [
        {
          StackName: 'platform-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'ServiceEndpoint', OutputValue: 'https://ignored.example' },
            { OutputKey: 'HttpApiUrl', OutputValue: apiUrl },
          ],
        },
      ],
    });
    try {
      const { code, out } = await run(
        ['keys', 'list', '--tenant', 'ten_nope', '--stage', 'prod', '--region', region],
        {
          cloudFormation: new CloudFormationClient({ region }),
          credentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: 'session' },
        },
      );
      // The fake answers 404 for the unknown tenant: what matters is that the call reached it, signed.
      expect(out).toBe('');
      expect(code).toBe(1);
      const request = api.requests.at(-1)!;
      expect(request.url).toBe('/operator/tenants/ten_nope/keys?limit=100');
      expect(request.headers['x-amz-security-token']).toBe('session');
    } finally {
      cloudFormation.restore();
    }
  });

  it('explains a missing stack or output', async () => {
    const cloudFormation = mockClient(CloudFormationClient);
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id platform-dev does not exist'), { name: 'ValidationError' }),
      );
    try {
      const missing = await run(['keys', 'list', '--tenant', 't', '--stage', 'dev'], {
        cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      expect(missing.code).toBe(1);
      expect(missing.err).toMatch(
        /stack platform-dev does not exist in us-east-1: deploy platform to stage dev first/,
      );

      cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [] });
      const noOutput = await run(['keys', 'list', '--tenant', 't', '--stage', 'dev'], {
        cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      expect(noOutput.err).toMatch(/has no HttpApiUrl output/);
    } finally {
      cloudFormation.restore();
    }
  });
});
