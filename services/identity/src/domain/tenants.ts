/**
 * Tenants and users. A tenant is born with its first admin user and that user's first admin API key,
 * so a new organisation can act immediately (the CLI and the operator API both go through here).
 */
import { z } from 'zod';
import type { NewApiKey, Role } from './api-keys';
import { newApiKey, roleSchema } from './api-keys';
import type { RandomBytes } from './random';
import { isId, newId } from './random';

/** Trimmed, 1–100 characters, no control characters (names end up in e-mails and CLI tables). */
export const tenantNameSchema = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(100, 'name is at most 100 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'name must not contain control characters');

/**
 * Lower-cased as well as trimmed: the local part is case-sensitive in theory, but no real mailbox
 * relies on it, and one canonical form stops `Ann@x.com` and `ann@x.com` becoming two users.
 */
export const emailSchema = z.string().trim().toLowerCase().pipe(z.email('a valid e-mail address').max(254));

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const tenantIdSchema = z.string().refine((v) => isId('tenant', v), 'a tenant id (ten_…)');
export const userIdSchema = z.string().refine((v) => isId('user', v), 'a user id (usr_…)');

export const createTenantInputSchema = z.strictObject({
  name: tenantNameSchema,
  adminEmail: emailSchema,
});
export type CreateTenantInput = z.input<typeof createTenantInputSchema>;

/** Cognito group names, one per role; `Admins` is the group the profile privacy rule checks. */
export const GROUP_FOR_ROLE: Record<Role, string> = {
  admin: 'Admins',
  creator: 'Creators',
  viewer: 'Viewers',
};
export const ADMINS_GROUP = GROUP_FOR_ROLE.admin;

export interface Tenant {
  tenantId: string;
  name: string;
  status: 'active' | 'suspended';
  adminUserId: string;
  createdAt: string;
}

export interface User {
  userId: string;
  tenantId: string;
  email: string;
  /** False until the user proves the address by signing in with an e-mailed code. */
  emailVerified: boolean;
  role: Role;
  groups: string[];
  createdAt: string;
}

export interface NewUserInput {
  tenantId: string;
  email: string;
  role: Role;
}

export function newUser(input: NewUserInput, deps: { now: Date; random: RandomBytes }): User {
  const tenantId = tenantIdSchema.parse(input.tenantId);
  const role = roleSchema.parse(input.role);
  return {
    userId: newId('user', deps.now, deps.random),
    tenantId,
    email: emailSchema.parse(input.email),
    emailVerified: false,
    role,
    groups: [GROUP_FOR_ROLE[role]],
    createdAt: deps.now.toISOString(),
  };
}

export interface CreatedTenant {
  tenant: Tenant;
  adminUser: User;
  /** The first admin key: `plaintext` is shown once, `record` is stored. */
  apiKey: NewApiKey;
  /** The Stripe checkout the tenant was created for (TenantCreated carries it to billing). */
  checkoutSessionId?: string;
}

/** Throws a ZodError on bad input (the handler factory turns it into a 400 with field details). */
export function createTenant(
  input: CreateTenantInput,
  deps: { now: Date; random: RandomBytes; environment?: 'live' | 'test'; tenantId?: string },
): CreatedTenant {
  const { name, adminEmail } = createTenantInputSchema.parse(input);
  // A given id makes creation idempotent: the tenant item's put is conditional (./checkouts.ts).
  const tenantId =
    deps.tenantId === undefined
      ? newId('tenant', deps.now, deps.random)
      : tenantIdSchema.parse(deps.tenantId);
  const adminUser = newUser({ tenantId, email: adminEmail, role: 'admin' }, deps);
  const tenant: Tenant = {
    tenantId,
    name,
    status: 'active',
    adminUserId: adminUser.userId,
    createdAt: deps.now.toISOString(),
  };
  const apiKey = newApiKey(
    {
      tenantId,
      role: 'admin',
      name: 'First admin key',
      ownerEmail: adminUser.email,
      createdBy: adminUser.userId,
      ...(deps.environment ? { environment: deps.environment } : {}),
    },
    deps,
  );
  return { tenant, adminUser, apiKey };
}
