/**
 * billing's CheckoutCompleted: a customer paid and no tenant is theirs yet. Identity makes the tenant
 * and its first admin (in Admins) through the same use case as the operator route, with the tenant id
 * derived from the checkout session (../domain/checkouts.ts), so redeliveries find it instead of
 * making another; TenantCreated then carries the session id to billing, which links the customer.
 * The new admin is e-mailed a sign-in code at once, and can ask for another with POST /auth/login.
 *
 * An e-mail that already belongs to a person makes no tenant (an address is one person's): the
 * checkout upgrades that person's tenant, and CheckoutLinked tells billing so (once per checkout).
 */
import { isHttpError, logger } from '@switchyard/runtime';
import type { CheckoutCompleted } from '@switchyard/contracts';
import type { CheckoutStore } from '../adapters/checkout-store';
import type { CheckoutOutcome } from '../domain/checkouts';
import { checkoutTenantId, checkoutTenantName } from '../domain/checkouts';
import { normalizeEmail } from '../domain/tenants';
import type { IdentityDeps, SignInDeps } from './deps';
import { createTenant } from './tenants';

export interface CheckoutDeps {
  identity: IdentityDeps;
  checkouts: CheckoutStore;
  /** E-mails the new admin a sign-in code. */
  sendSignInCode: (email: string) => Promise<void>;
}

export async function createTenantForCheckout(
  message: CheckoutCompleted,
  deps: CheckoutDeps,
): Promise<CheckoutOutcome> {
  const sessionId = message.checkoutSessionId;
  const email = normalizeEmail(message.email);
  const tenantId = checkoutTenantId(sessionId, new Date(message.completedAt));
  // Two attempts: a person may claim the e-mail between our read and our write.
  for (let attempt = 1; ; attempt++) {
    if (await deps.identity.store.getTenant(tenantId, { consistent: true })) {
      return { kind: 'tenant_exists', tenantId };
    }
    const linked = await deps.checkouts.linkedTenant(sessionId);
    if (linked) return { kind: 'already_linked', tenantId: linked };
    const owner = await deps.checkouts.emailOwner(email);
    if (owner) {
      const linkedNow = await deps.checkouts.linkToExistingPerson({
        sessionId,
        owner,
        now: deps.identity.now(),
      });
      return linkedNow
        ? { kind: 'linked_to_existing_person', tenantId: owner.tenantId, userId: owner.userId }
        : { kind: 'already_linked', tenantId: owner.tenantId };
    }
    try {
      const created = await createTenant(
        deps.identity,
        { name: checkoutTenantName(message.tenantName, email), adminEmail: email },
        { tenantId, checkoutSessionId: sessionId },
      );
      await sendCodeQuietly(deps, email);
      return { kind: 'tenant_created', tenantId, userId: created.adminUser.userId };
    } catch (error) {
      // 409 email_taken: the e-mail was claimed meanwhile, or our own earlier attempt made the tenant.
      if (!isHttpError(error) || error.status !== 409 || attempt >= 2) throw error;
    }
  }
}

/** The tenant exists whatever happens to the e-mail: a failed send is logged, never retried here. */
async function sendCodeQuietly(deps: CheckoutDeps, email: string): Promise<void> {
  try {
    await deps.sendSignInCode(email);
  } catch (error) {
    logger.warn('checkout_sign_in_code_not_sent', { error });
  }
}

export function checkoutDeps(
  identity: IdentityDeps,
  signIn: SignInDeps,
  checkouts: CheckoutStore,
): CheckoutDeps {
  return { identity, checkouts, sendSignInCode: (email) => signIn.signIn.startLogin(email) };
}
