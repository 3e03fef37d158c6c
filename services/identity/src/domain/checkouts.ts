/**
 * A tenant for a Stripe checkout (billing's CheckoutCompleted). One checkout session makes at most
 * one tenant however often the message arrives: the tenant id is derived from the session id (a ULID
 * whose time is the checkout's and whose randomness is a hash of the session id), and the tenant
 * item's put is conditional, so a second attempt finds the tenant instead of making another.
 */
import { createHash } from 'node:crypto';
import { newId } from './random';

/** The tenant id a checkout session's tenant has, whoever computes it, however often. */
export function checkoutTenantId(checkoutSessionId: string, completedAt: Date): string {
  const digest = createHash('sha256').update(`switchyard checkout tenant:${checkoutSessionId}`).digest();
  return newId('tenant', completedAt, (size) => digest.subarray(0, size));
}

/** The tenant's name: the one asked for at checkout, else one made from the admin's e-mail. */
export function checkoutTenantName(tenantName: string | undefined, email: string): string {
  const asked = tenantName?.trim();
  if (asked) return asked.slice(0, 100);
  return `Workspace of ${email}`.slice(0, 100);
}

/** What a checkout led to. */
export type CheckoutOutcome =
  | { kind: 'tenant_created'; tenantId: string; userId: string }
  | { kind: 'tenant_exists'; tenantId: string }
  | { kind: 'linked_to_existing_person'; tenantId: string; userId: string }
  | { kind: 'already_linked'; tenantId: string };
