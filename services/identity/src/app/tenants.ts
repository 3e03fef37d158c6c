/** Tenant use cases of the operator routes. */
import { notFound } from '@switchyard/runtime';
import type { IdentityStore } from '../adapters/identity-store';
import { toApiKeySummary } from '../domain/api-keys';
import { isId } from '../domain/random';
import type { CreateTenantInput, Tenant, User } from '../domain/tenants';
import { createTenant as newTenant } from '../domain/tenants';
import type { CreatedApiKey } from './api-keys';
import type { IdentityDeps } from './deps';

/** A tenant, its admin user and their first admin key (whose plaintext is shown this once). */
export interface CreatedTenantView {
  tenant: Tenant;
  adminUser: User;
  apiKey: CreatedApiKey;
}

/** One transaction: tenant, admin user, e-mail claim (409 when taken), first admin key, their events. */
export async function createTenant(
  deps: IdentityDeps,
  input: CreateTenantInput,
  options: { tenantId?: string; checkoutSessionId?: string } = {},
): Promise<CreatedTenantView> {
  const created = newTenant(input, {
    now: deps.now(),
    random: deps.random,
    environment: deps.environment,
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
  });
  if (options.checkoutSessionId) created.checkoutSessionId = options.checkoutSessionId;
  await deps.store.createTenant(created);
  return {
    tenant: created.tenant,
    adminUser: created.adminUser,
    // The plaintext key is in this answer and nowhere else: it is not stored or logged.
    apiKey: { ...toApiKeySummary(created.apiKey.record), key: created.apiKey.plaintext },
  };
}

/**
 * The tenant a route names; 404 when it does not exist. A string that is not a tenant id cannot
 * name a tenant: 404 without a lookup.
 */
export async function requireTenant(
  deps: { store: IdentityStore },
  tenantId: string,
  options: { consistent?: boolean } = {},
): Promise<Tenant> {
  const tenant = isId('tenant', tenantId) ? await deps.store.getTenant(tenantId, options) : undefined;
  if (!tenant) throw notFound('No such tenant.');
  return tenant;
}
