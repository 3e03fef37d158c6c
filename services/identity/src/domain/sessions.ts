/**
 * Sessions that last: a sign-in opens a session (a "family" of refresh tokens) that lives 30 days.
 * Its refresh token is a high-entropy opaque string, `syr_<familyId>_<secret>`; only its SHA-256 is
 * stored, on the family. Every refresh rotates it (the family then holds the new token's hash), so a
 * token works once. Presenting any other token of a family, an already used one above all, is taken
 * as theft (reuse detection, no grace period): the whole family is revoked, the newest token too.
 *
 * A family also records the user's `sessionEpoch` at sign-in; a suspended person's epoch has moved
 * on, so none of their sessions refreshes again, and a removed person has no user any more.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RandomBytes } from './random';
import { randomBase32 } from './random';

/** How long a session lasts from its sign-in, rotations included (Cognito's refresh token lifetime). */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export const REFRESH_TOKEN_PREFIX = 'syr';
const FAMILY_ID_LENGTH = 26;
const SECRET_BYTES = 32;
const TOKEN_PATTERN = new RegExp(
  `^${REFRESH_TOKEN_PREFIX}_([0-9a-hjkmnp-tv-z]{${FAMILY_ID_LENGTH}})_([A-Za-z0-9_-]{43})$`,
);

export type SessionStatus = 'active' | 'revoked';
export type RevokeReason = 'reuse' | 'logout';

export interface Session {
  familyId: string;
  userId: string;
  tenantId: string;
  /** The user's `sessionEpoch` when they signed in; the session ends when it moves on. */
  sessionEpoch: number;
  status: SessionStatus;
  /** SHA-256 (hex) of the one refresh token that may be presented next. */
  tokenHash: string;
  /** How many times the token was rotated. */
  generation: number;
  createdAt: string;
  expiresAt: string;
  rotatedAt?: string;
  revokedAt?: string;
  revokedReason?: RevokeReason;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The family a presented token names, or null for anything that is not a refresh token. */
export function parseRefreshToken(text: unknown): { familyId: string } | null {
  if (typeof text !== 'string' || text.length > 200) return null;
  const match = TOKEN_PATTERN.exec(text);
  if (!match?.[1] || !match[2]) return null;
  if (Buffer.from(match[2], 'base64url').toString('base64url') !== match[2]) return null;
  return { familyId: match[1] };
}

function newRefreshToken(familyId: string, random: RandomBytes): { token: string; tokenHash: string } {
  const secret = Buffer.from(random(SECRET_BYTES)).toString('base64url');
  const token = `${REFRESH_TOKEN_PREFIX}_${familyId}_${secret}`;
  return { token, tokenHash: hashRefreshToken(token) };
}

/** A session for a person who just signed in, and its first refresh token (given to them only). */
export function openSession(
  user: { userId: string; tenantId: string; sessionEpoch: number },
  deps: { now: Date; random: RandomBytes },
): { session: Session; refreshToken: string } {
  const familyId = randomBase32(deps.random, FAMILY_ID_LENGTH);
  const { token, tokenHash } = newRefreshToken(familyId, deps.random);
  return {
    session: {
      familyId,
      userId: user.userId,
      tenantId: user.tenantId,
      sessionEpoch: user.sessionEpoch,
      status: 'active',
      tokenHash,
      generation: 0,
      createdAt: deps.now.toISOString(),
      expiresAt: new Date(deps.now.getTime() + SESSION_TTL_MS).toISOString(),
    },
    refreshToken: token,
  };
}

/** The user as a refresh sees them (undefined: removed). */
export interface SessionHolder {
  tenantId: string;
  status: 'active' | 'suspended';
  sessionEpoch: number;
}

export type RefreshDecision =
  | { outcome: 'rotate'; next: Session; refreshToken: string }
  /** A token of this family that is not its current one: revoke the family. */
  | { outcome: 'reuse' }
  | { outcome: 'refused'; reason: 'unknown' | 'expired' | 'revoked' | 'user_gone' | 'user_suspended' };

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/**
 * What a presented refresh token earns. Unknown, expired and revoked sessions are refused as they
 * are; a token that is not the family's current one is reuse (the caller revokes the family); a
 * person suspended or removed since they signed in is refused.
 */
export function decideRefresh(
  presented: string,
  session: Session | undefined,
  holder: SessionHolder | undefined,
  deps: { now: Date; random: RandomBytes },
): RefreshDecision {
  const parsed = parseRefreshToken(presented);
  if (!parsed || !session || session.familyId !== parsed.familyId) return refused('unknown');
  if (session.status === 'revoked') return refused('revoked');
  if (Date.parse(session.expiresAt) <= deps.now.getTime()) return refused('expired');
  if (!sameHash(hashRefreshToken(presented), session.tokenHash)) return { outcome: 'reuse' };
  if (!holder || holder.tenantId !== session.tenantId) return refused('user_gone');
  if (holder.status !== 'active' || holder.sessionEpoch !== session.sessionEpoch)
    return refused('user_suspended');
  const { token, tokenHash } = newRefreshToken(session.familyId, deps.random);
  return {
    outcome: 'rotate',
    next: { ...session, tokenHash, generation: session.generation + 1, rotatedAt: deps.now.toISOString() },
    refreshToken: token,
  };
}

function refused(reason: Extract<RefreshDecision, { outcome: 'refused' }>['reason']): RefreshDecision {
  return { outcome: 'refused', reason };
}

/** Seconds since the epoch at which the table may delete the session (its TTL attribute). */
export function sessionTtlEpoch(session: Pick<Session, 'expiresAt'>): number {
  return Math.ceil(Date.parse(session.expiresAt) / 1000);
}
