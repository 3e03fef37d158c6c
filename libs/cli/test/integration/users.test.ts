// `switchyard users` against a real local cloud running identity: `main([...])` in process, output
// captured. Needs identity's operator user routes (POST/GET /operator/tenants/{id}/users,
// DELETE /operator/users/{userId}); the invitation lands in the local mailbox.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startLocalCloud } from '../../../local-cloud/src';
import type { RunningLocalCloud } from '../../../local-cloud/src';
import { listEmails } from '../../../local-cloud/src/emulators/ses';
import type { UserSummary } from '../../src/commands/users';
import { createKey, runCli, runCliJson, useDevJson } from '../../src/testing';

let cloud: RunningLocalCloud | undefined;
let restoreDevJson: () => void = () => {};

beforeAll(async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'sy-cli-users-'));
  cloud = await startLocalCloud({ services: ['identity'], stateDir });
  restoreDevJson = useDevJson(join(stateDir, 'dev.json'));
});

afterAll(async () => {
  await cloud?.stop();
  restoreDevJson();
});

const keysStatus = async (key: string) =>
  (await fetch(`${cloud!.apiUrl}/keys`, { headers: { authorization: `Bearer ${key}` } })).status;

describe('switchyard users against the local cloud', () => {
  let tenantId: string;

  beforeAll(async () => {
    const created = await runCliJson<{ tenant: { tenantId: string } }>([
      'tenants',
      'create',
      '--name',
      'People Inc',
      '--admin-email',
      'boss@people.test',
    ]);
    tenantId = created.tenant.tenantId;
  });

  it('invites a person, who gets the invitation e-mail; lists them; removes them, and their key stops working', async () => {
    const invited = await runCliJson<UserSummary>([
      'users',
      'invite',
      '--tenant',
      tenantId,
      '--email',
      'new.hire@people.test',
      '--admin',
    ]);
    expect(invited).toMatchObject({
      tenantId,
      email: 'new.hire@people.test',
      groups: ['Admins'],
      status: 'active',
    });
    const mail = await eventually(
      async () =>
        (await listEmails(cloud!.endpoints.ses)).find(
          (m) => m.destination.to.includes('new.hire@people.test') && m.subject.includes('invited you'),
        ),
      { what: 'the invitation e-mail' },
    );
    expect(mail.subject).toBe('An administrator of People Inc invited you to People Inc on Switchyard');

    const table = await runCli(['users', 'list', '--tenant', tenantId]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(
      new RegExp(`${invited.userId}\\s+new\\.hire@people\\.test\\s+-\\s+Admins\\s+active`),
    );
    expect(table.out).toContain('boss@people.test');

    const key = await createKey(tenantId, 'admin', { email: 'new.hire@people.test' });
    expect(await keysStatus(key.key)).toBe(200);
    const removed = await runCli(['users', 'remove', invited.userId]);
    expect(removed).toMatchObject({ code: 0, out: `Removed user ${invited.userId}.\n` });
    expect(await keysStatus(key.key)).toBe(401);
    const listed = await runCliJson<UserSummary[]>(['users', 'list', '--tenant', tenantId]);
    expect(listed.map((user) => user.email)).toEqual(['boss@people.test']);
  });

  it("prints the API's refusals: a taken address, the last admin, an unknown user", async () => {
    const taken = await runCli(['users', 'invite', '--tenant', tenantId, '--email', 'boss@people.test']);
    expect(taken.code).toBe(1);
    expect(taken.err).toMatch(
      /^switchyard: The e-mail address already belongs to a user\. \(correlation id [\w-]+\)\n {2}email: already belongs to a user\n$/,
    );
    const [boss] = await runCliJson<UserSummary[]>(['users', 'list', '--tenant', tenantId]);
    const last = await runCli(['users', 'remove', boss!.userId]);
    expect(last.code).toBe(1);
    expect(last.err).toMatch(
      /^switchyard: A tenant must keep at least one active admin\. \(correlation id [\w-]+\)/,
    );
    const unknown = await runCli(['users', 'remove', 'usr_01JX0000000000000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^switchyard: No such user\./);
  });
});
