// What follows a person's change, from its outbox item: invitations (naming the inviter) and the
// revocation of a departed person's keys, over in-memory stores.
import { UserCreated, UserRemoved, UserUpdated } from '@switchyard/contracts';
import type { Contract } from '@switchyard/contracts';
import { outboxItem } from '@switchyard/runtime';
import type { PublishInput } from '@switchyard/runtime';
import type { Invitation } from '../../../src/adapters/mailer';
import type { LifecycleDeps } from '../../../src/app/user-lifecycle';
import { followUserEvent } from '../../../src/app/user-lifecycle';
import type { ApiKeyRecord } from '../../../src/domain/api-keys';
import type { UserRecord } from '../../../src/domain/users';
import { aUser, NOW } from '../domain/fixtures';

const TENANT = 'ten_01JX0000000000000000000000';
const INVITER: UserRecord = aUser({
  userId: 'usr_01JX0000000000000000000AD0',
  tenantId: TENANT,
  email: 'ada@example.com',
});

function key(keyId: string, createdAt: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    keyId,
    tenantId: TENANT,
    environment: 'test',
    role: 'admin',
    status: 'active',
    secretHash: 'a'.repeat(64),
    ownerEmail: 'bo@example.com',
    createdAt,
    ...overrides,
  } as ApiKeyRecord;
}

function world(keys: ApiKeyRecord[] = []) {
  const sent: Invitation[] = [];
  const revoked: { keyId: string; revokedBy?: string }[] = [];
  const users = new Map([[INVITER.userId, INVITER]]);
  const deps = {
    store: {
      getTenant: async (tenantId: string) => (tenantId === TENANT ? { tenantId, name: 'Acme' } : undefined),
      getApiKey: async (keyId: string) => keys.find((k) => k.keyId === keyId),
      apiKeysByOwnerEmail: async (email: string) => keys.filter((k) => k.ownerEmail === email),
      revokeApiKey: async (_tenantId: string, keyId: string, options: { revokedBy?: string }) => {
        revoked.push({ keyId, ...(options.revokedBy ? { revokedBy: options.revokedBy } : {}) });
        return 'revoked';
      },
    },
    users: { getUser: async (userId: string) => users.get(userId) },
    mailer: { sendInvitation: async (invitation: Invitation) => void sent.push(invitation) },
    signIn: { kind: 'api', baseUrl: 'http://127.0.0.1:3000' },
    now: () => NOW,
  } as unknown as LifecycleDeps;
  return { deps, sent, revoked, users };
}

const item = <C extends Contract>(contract: C, body: Record<string, unknown>) =>
  outboxItem(contract, { tenantId: TENANT, ...body } as PublishInput<C>);

const created = (invitedBy?: string) =>
  item(UserCreated, {
    userId: 'usr_01JX0000000000000000000B00',
    email: 'bo@example.com',
    role: 'viewer',
    groups: [],
    status: 'active',
    ...(invitedBy ? { invitedBy } : {}),
    createdAt: NOW.toISOString(),
  });

const state = (status: 'active' | 'suspended') => ({
  email: 'bo@example.com',
  groups: [],
  role: 'viewer',
  status,
});

describe('invitations', () => {
  it('names a person who invites by their display name or e-mail, and the tenant', async () => {
    const w = world();
    await followUserEvent(w.deps, created(INVITER.userId));
    w.users.set(INVITER.userId, { ...INVITER, displayName: 'Ada' });
    await followUserEvent(w.deps, created(INVITER.userId));
    expect(w.sent).toEqual([
      { to: 'bo@example.com', inviter: 'ada@example.com', tenantName: 'Acme', signIn: w.deps.signIn },
      { to: 'bo@example.com', inviter: 'Ada', tenantName: 'Acme', signIn: w.deps.signIn },
    ]);
  });

  it("names an API key by its owner's e-mail, and nobody for an operator or a key without owner", async () => {
    const w = world([key('ownedkey0000000000000', NOW.toISOString(), { ownerEmail: 'ops@example.com' })]);
    await followUserEvent(w.deps, created('key:ownedkey0000000000000'));
    await followUserEvent(w.deps, created('arn:aws:iam::123456789012:user/operator'));
    await followUserEvent(w.deps, created('key:unknownkey000000000'));
    expect(w.sent.map((s) => s.inviter)).toEqual(['ops@example.com', undefined, undefined]);
  });

  it("sends nothing for a tenant's first admin (nobody invited them)", async () => {
    const w = world();
    await followUserEvent(w.deps, created());
    expect(w.sent).toEqual([]);
  });
});

describe("a departed person's keys", () => {
  const keys = () => [
    key('before00000000000000a', '2025-05-01T00:00:00.000Z'),
    key('after000000000000000a', '2025-07-01T00:00:00.000Z'),
    key('other000000000000000a', '2025-05-01T00:00:00.000Z', { ownerEmail: 'someone@example.com' }),
    key('tenant00000000000000a', '2025-05-01T00:00:00.000Z', { tenantId: 'ten_01JX00000000000000000OTHER' }),
    key('revoked0000000000000a', '2025-05-01T00:00:00.000Z', { status: 'revoked' }),
  ];

  it('revokes, on suspension, the keys they owned in that tenant and created before it', async () => {
    const w = world(keys());
    await followUserEvent(
      w.deps,
      item(UserUpdated, {
        userId: 'usr_01JX0000000000000000000B00',
        changedFields: ['status'],
        old: state('active'),
        new: state('suspended'),
        revision: 2,
        updatedBy: 'usr_admin',
        updatedAt: NOW.toISOString(),
      }),
    );
    expect(w.revoked).toEqual([{ keyId: 'before00000000000000a', revokedBy: 'usr_admin' }]);
  });

  it('revokes them on removal, and does nothing on reactivation or a change of groups', async () => {
    const w = world(keys());
    const update = (old: 'active' | 'suspended', next: 'active' | 'suspended') =>
      item(UserUpdated, {
        userId: 'usr_01JX0000000000000000000B00',
        changedFields: old === next ? ['groups'] : ['status'],
        old: state(old),
        new: state(next),
        revision: 3,
        updatedAt: NOW.toISOString(),
      });
    await followUserEvent(w.deps, update('suspended', 'active'));
    await followUserEvent(w.deps, update('active', 'active'));
    expect(w.revoked).toEqual([]);
    await followUserEvent(
      w.deps,
      item(UserRemoved, {
        userId: 'usr_01JX0000000000000000000B00',
        ...state('active'),
        removedAt: NOW.toISOString(),
      }),
    );
    expect(w.revoked).toEqual([{ keyId: 'before00000000000000a', revokedBy: 'identity' }]);
  });
});
