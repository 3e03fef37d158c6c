/**
 * The token of a one-click unsubscribe link: it names the tenant, the person and the category, and
 * is signed (HMAC-SHA256 with the stage's key) so nobody can unsubscribe someone else or pick
 * another category. It needs no sign-in and does not expire: an old e-mail's link still works.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { OPTIONAL_CATEGORIES } from './categories';
import type { Category } from './categories';

export interface UnsubscribeClaim {
  tenantId: string;
  userId: string;
  category: Exclude<Category, 'account'>;
}

const claimSchema = z.object({
  t: z.string().min(1).max(128),
  u: z.string().min(1).max(128),
  c: z.enum(OPTIONAL_CATEGORIES as [Exclude<Category, 'account'>, ...Exclude<Category, 'account'>[]]),
});

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

export function signUnsubscribeToken(key: Buffer, claim: UnsubscribeClaim): string {
  const payload = Buffer.from(
    JSON.stringify({ t: claim.tenantId, u: claim.userId, c: claim.category }),
  ).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

/** The claim of a token signed with `key`; undefined for anything malformed or tampered with. */
export function verifyUnsubscribeToken(key: Buffer, token: string): UnsubscribeClaim | undefined {
  if (token.length > 1024) return undefined;
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) return undefined;
  const expected = Buffer.from(mac(key, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const parsed = claimSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return parsed.success
      ? { tenantId: parsed.data.t, userId: parsed.data.u, category: parsed.data.c }
      : undefined;
  } catch {
    return undefined;
  }
}
