import { ZodError } from 'zod';
import { checkApiKey, parseApiKey } from '../../../src/domain/api-keys';
import { isId } from '../../../src/domain/random';
import { createTenant, emailSchema, newUser, tenantNameSchema } from '../../../src/domain/tenants';
import { NOW, seededRandom } from './fixtures';

const deps = () => ({ now: NOW, random: seededRandom('tenants') });

describe('createTenant', () => {
  it('returns the tenant, its admin user in Admins and a working first admin key', () => {
    const { tenant, adminUser, apiKey } = createTenant(
      { name: 'Acme Corp', adminEmail: 'Ann@Example.com' },
      deps(),
    );
    expect(isId('tenant', tenant.tenantId)).toBe(true);
    expect(tenant).toEqual({
      tenantId: tenant.tenantId,
      name: 'Acme Corp',
      status: 'active',
      adminUserId: adminUser.userId,
      createdAt: '2025-06-01T12:00:00.000Z',
    });
    expect(isId('user', adminUser.userId)).toBe(true);
    expect(adminUser).toMatchObject({
      tenantId: tenant.tenantId,
      email: 'ann@example.com',
      role: 'admin',
      groups: ['Admins'],
      emailVerified: false,
    });
    expect(apiKey.record).toMatchObject({
      tenantId: tenant.tenantId,
      role: 'admin',
      status: 'active',
      ownerEmail: 'ann@example.com',
      createdBy: adminUser.userId,
    });
    expect(parseApiKey(apiKey.plaintext)?.keyId).toBe(apiKey.record.keyId);
    expect(checkApiKey(apiKey.plaintext, apiKey.record, NOW).ok).toBe(true);
  });

  it('is deterministic for a given clock and random source', () => {
    const a = createTenant({ name: 'Acme', adminEmail: 'a@example.com' }, deps());
    const b = createTenant({ name: 'Acme', adminEmail: 'a@example.com' }, deps());
    expect(b).toEqual(a);
  });

  it('issues test keys when asked (non-production stages)', () => {
    const { apiKey } = createTenant(
      { name: 'Acme', adminEmail: 'a@example.com' },
      { ...deps(), environment: 'test' },
    );
    expect(apiKey.plaintext.startsWith('sy_test_')).toBe(true);
  });

  it('trims the name', () => {
    expect(createTenant({ name: '  Acme  ', adminEmail: 'a@example.com' }, deps()).tenant.name).toBe('Acme');
  });

  it.each([
    ['an empty name', { name: '   ', adminEmail: 'a@example.com' }, 'name'],
    ['a 101-character name', { name: 'x'.repeat(101), adminEmail: 'a@example.com' }, 'name'],
    ['a name with a newline', { name: 'Acme\nInc', adminEmail: 'a@example.com' }, 'name'],
    ['an invalid e-mail', { name: 'Acme', adminEmail: 'not-an-email' }, 'adminEmail'],
    ['an e-mail with two @', { name: 'Acme', adminEmail: 'a@@example.com' }, 'adminEmail'],
  ])('rejects %s with a field-level ZodError', (_label, input, field) => {
    let caught: unknown;
    try {
      createTenant(input, deps());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ZodError);
    expect((caught as ZodError).issues.map((issue) => issue.path.join('.'))).toEqual([field]);
  });

  it('rejects unknown fields, so a typo is not silently dropped', () => {
    expect(() =>
      createTenant({ name: 'Acme', adminEmail: 'a@example.com', plan: 'pro' } as never, deps()),
    ).toThrow(ZodError);
  });
});

describe('schemas', () => {
  it('accepts a 100-character name', () => {
    expect(tenantNameSchema.parse('x'.repeat(100))).toHaveLength(100);
  });

  it('normalises e-mail to trimmed lower case', () => {
    expect(emailSchema.parse('  BOB@Example.ORG ')).toBe('bob@example.org');
  });
});

describe('newUser', () => {
  it('maps each role to its group', () => {
    const random = seededRandom('users');
    const tenantId = createTenant({ name: 'T', adminEmail: 'a@example.com' }, { now: NOW, random }).tenant
      .tenantId;
    expect(
      newUser({ tenantId, email: 'v@example.com', role: 'viewer' }, { now: NOW, random }).groups,
    ).toEqual(['Viewers']);
    expect(
      newUser({ tenantId, email: 'c@example.com', role: 'creator' }, { now: NOW, random }).groups,
    ).toEqual(['Creators']);
  });

  it('refuses a tenant id that is not one', () => {
    expect(() =>
      newUser(
        { tenantId: 'acme', email: 'a@example.com', role: 'viewer' },
        { now: NOW, random: seededRandom('u') },
      ),
    ).toThrow(ZodError);
  });
});
