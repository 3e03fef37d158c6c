import { randomBytes } from 'node:crypto';
import type { CheckoutCompleted } from '@switchyard/contracts';
import { conflict } from '@switchyard/runtime';
import type { CheckoutStore, EmailOwner } from '../../../src/adapters/checkout-store';
import type { IdentityStore } from '../../../src/adapters/identity-store';
import type { CheckoutDeps } from '../../../src/app/checkouts';
import { createTenantForCheckout } from '../../../src/app/checkouts';
import { checkoutTenantId, checkoutTenantName } from '../../../src/domain/checkouts';
import { isId } from '../../../src/domain/random';
import type { CreatedTenant, Tenant } from '../../../src/domain/tenants';

const COMPLETED_AT = '2026-03-14T09:26:50.000Z';

function message(overrides: Partial<CheckoutCompleted> = {}): CheckoutCompleted {
  return {
    version: 1,
    id: 'msg-1',
    time: COMPLETED_AT,
    tenantId: '_platform',
    correlationId: 'corr-1',
    checkoutSessionId: 'cs_test_a1B2c3',
    customerId: 'cus_123',
    subscriptionId: 'sub_123',
    email: 'Ada@Acme.example',
    tenantName: 'Acme',
    completedAt: COMPLETED_AT,
    ...overrides,
  };
}

/** identity's table as the use case sees it: tenants, e-mail claims, checkout links. */
function world() {
  const tenants = new Map<string, CreatedTenant>();
  const emails = new Map<string, EmailOwner>();
  const links = new Map<string, string>();
  const codes: string[] = [];
  const store = {
    async getTenant(tenantId: string): Promise<Tenant | undefined> {
      return tenants.get(tenantId)?.tenant;
    },
    async createTenant(created: CreatedTenant) {
      if (tenants.has(created.tenant.tenantId) || emails.has(created.adminUser.email)) {
        throw conflict('taken', { code: 'email_taken' });
      }
      tenants.set(created.tenant.tenantId, created);
      emails.set(created.adminUser.email, {
        userId: created.adminUser.userId,
        tenantId: created.tenant.tenantId,
      });
    },
  } as unknown as IdentityStore;
  const checkouts: CheckoutStore = {
    emailOwner: async (email) => emails.get(email),
    linkedTenant: async (sessionId) => links.get(sessionId),
    async linkToExistingPerson({ sessionId, owner }) {
      if (links.has(sessionId)) return false;
      links.set(sessionId, owner.tenantId);
      return true;
    },
  };
  const deps: CheckoutDeps = {
    identity: {
      store,
      environment: 'test',
      now: () => new Date('2026-03-14T09:27:00.000Z'),
      random: randomBytes,
    },
    checkouts,
    sendSignInCode: async (email) => {
      codes.push(email);
    },
  };
  return { deps, tenants, emails, links, codes };
}

describe('checkoutTenantId', () => {
  it('is the same for a session whenever it is computed, different for another, and a tenant id', () => {
    const at = new Date(COMPLETED_AT);
    const id = checkoutTenantId('cs_test_a1B2c3', at);
    expect(isId('tenant', id)).toBe(true);
    expect(checkoutTenantId('cs_test_a1B2c3', at)).toBe(id);
    expect(checkoutTenantId('cs_test_other', at)).not.toBe(id);
  });

  it('names the tenant as asked, else after the admin', () => {
    expect(checkoutTenantName('  Acme ', 'a@b.example')).toBe('Acme');
    expect(checkoutTenantName(undefined, 'a@b.example')).toBe('Workspace of a@b.example');
  });
});

describe('createTenantForCheckout', () => {
  it('creates one tenant with its admin in Admins, carrying the session to TenantCreated, and sends a code', async () => {
    const { deps, tenants, codes } = world();
    const outcome = await createTenantForCheckout(message(), deps);
    expect(outcome.kind).toBe('tenant_created');
    const created = tenants.get(outcome.tenantId)!;
    expect(created.checkoutSessionId).toBe('cs_test_a1B2c3');
    expect(created.tenant.name).toBe('Acme');
    expect(created.adminUser).toMatchObject({ email: 'ada@acme.example', role: 'admin', groups: ['Admins'] });
    expect(codes).toEqual(['ada@acme.example']);
  });

  it('finds the tenant on a redelivery instead of making another (and sends no second code)', async () => {
    const { deps, tenants, codes } = world();
    const first = await createTenantForCheckout(message(), deps);
    const again = await createTenantForCheckout(message({ id: 'msg-2' }), deps);
    expect(again).toEqual({ kind: 'tenant_exists', tenantId: first.tenantId });
    expect(tenants.size).toBe(1);
    expect(codes).toHaveLength(1);
  });

  it("links a checkout whose e-mail is a person's to that person's tenant, once", async () => {
    const { deps, emails, links, tenants } = world();
    emails.set('ada@acme.example', { userId: 'usr_existing', tenantId: 'ten_existing' });
    expect(await createTenantForCheckout(message(), deps)).toEqual({
      kind: 'linked_to_existing_person',
      tenantId: 'ten_existing',
      userId: 'usr_existing',
    });
    expect(await createTenantForCheckout(message(), deps)).toEqual({
      kind: 'already_linked',
      tenantId: 'ten_existing',
    });
    expect(links.get('cs_test_a1B2c3')).toBe('ten_existing');
    expect(tenants.size).toBe(0);
  });
});
