/**
 * `LocalSignIn` (AUTH_MODE=local): our own Cognito-compatible issuer. The challenge holds only an
 * HMAC of the code, keyed by a pepper kept at `ISSUER`/`PEPPER`; the e-mail goes through SES; tokens
 * are signed with the key at `ISSUER`/`KEY#current`.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamoDbDocumentClient, getOrCreateItem, logger } from '@switchyard/runtime';
import { CODE_TTL_MS, planLogin, verifyLogin } from '../../domain/otp';
import type { RandomBytes } from '../../domain/random';
import { normalizeEmail } from '../../domain/tenants';
import type { IssuedTokens } from '../../domain/tokens';
import { issueTokens } from '../../domain/tokens';
import type { Mailer } from '../mailer';
import { getIssuerKey, ISSUER_PK } from '../person-tokens';
import type { UserRecord } from '../../domain/users';
import type { Item } from './challenge-table';
import { challengeFromItem, ChallengeTable, epochSeconds, otpKey, userKey } from './challenge-table';
import type { SignedIn, SignIn } from './types';

export const PEPPER_SK = 'PEPPER';

export interface LocalSignInOptions {
  tableName: string;
  issuer: string;
  clientId: string;
  mailer: Pick<Mailer, 'sendSignInCode'>;
  client?: DynamoDBDocumentClient;
  now?: () => Date;
  random?: RandomBytes;
  tokenTtlSeconds?: number;
}

let pepper: Promise<Buffer> | undefined;

/**
 * The HMAC pepper for code hashes (local mode): 32 random bytes created once per stage at
 * `ISSUER`/`PEPPER` with a conditional put, loaded once per process. It is not in serverless.yml
 * or the environment, so a copy of the template or the function configuration cannot test codes.
 */
export function getPepper(tableName: string, client?: DynamoDBDocumentClient): Promise<Buffer> {
  pepper ??= getOrCreateItem<{ pepper: string; createdAt: string }>(
    tableName,
    { pk: ISSUER_PK, sk: PEPPER_SK },
    () => ({ pepper: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() }),
    client,
  )
    .then((item) => Buffer.from(item.pepper, 'base64'))
    .catch((error: unknown) => {
      pepper = undefined;
      throw error;
    });
  return pepper;
}

/** For tests: forget the memoised pepper. */
export function forgetPepper(): void {
  pepper = undefined;
}

/** How often a guess that lost a race for the challenge is judged again before it is refused. */
const MAX_CONCURRENT_ROUNDS = 10;

export class LocalSignIn implements SignIn {
  private readonly table: ChallengeTable;
  private readonly now: () => Date;
  private readonly random: RandomBytes;

  constructor(private readonly options: LocalSignInOptions) {
    this.table = new ChallengeTable(options.tableName, options.client ?? dynamoDbDocumentClient());
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? ((size) => randomBytes(size));
  }

  async startLogin(rawEmail: string): Promise<void> {
    const email = normalizeEmail(rawEmail);
    const [claim, current, secret] = await Promise.all([
      this.table.claim(email),
      this.table.challenge(email),
      getPepper(this.options.tableName, this.table.client),
    ]);
    const user = await this.table.activeUser(claim);
    const previous = challengeFromItem(current);
    const plan = planLogin(
      { email, userExists: user !== undefined, ...(previous ? { current: previous } : {}) },
      { now: this.now(), random: this.random, pepper: secret },
    );
    if (plan.action === 'none') {
      logger.info('sign-in code not sent', { reason: plan.reason });
      return;
    }
    const { challenge } = plan;
    const item = {
      ...otpKey(email),
      type: 'otpChallenge',
      ...challenge,
      userId: claim?.userId,
      expiresAtEpoch: epochSeconds(challenge.expiresAt),
    };
    if (!(await this.table.putFresh(item, current))) {
      logger.info('sign-in code not sent', { reason: 'concurrent_login' });
      return;
    }
    try {
      await this.options.mailer.sendSignInCode(email, plan.code, CODE_TTL_MS / 60_000);
      logger.info('sign-in code sent');
    } catch (error) {
      // Answer as usual (a 500 would reveal that the address exists); drop the unusable challenge
      // so the person can ask again at once instead of waiting for the resend interval.
      logger.error('sign-in e-mail failed', { error: error instanceof Error ? error.name : 'unknown' });
      await this.table.deleteIfUnchanged(email, challenge.createdAt);
    }
  }

  async completeLogin(rawEmail: string, code: string): Promise<SignedIn | undefined> {
    const email = normalizeEmail(rawEmail);
    const secret = await getPepper(this.options.tableName, this.table.client);
    // Every guess must count against the 5 tries, also when guesses arrive in parallel: a guess that
    // loses the conditional write re-reads the challenge and is judged again against the new state.
    let item: Item | undefined;
    let verdict: ReturnType<typeof verifyLogin> | undefined;
    let now = this.now();
    for (let round = 0; round < MAX_CONCURRENT_ROUNDS && !verdict; round++) {
      item = await this.table.challenge(email);
      const stored = challengeFromItem(item);
      now = this.now();
      const candidate = verifyLogin({ email, code, challenge: stored }, now, secret);
      const changed = stored && candidate.challenge && candidate.challenge !== stored;
      if (!changed || (await this.table.transition(email, stored, candidate.challenge!))) verdict = candidate;
    }
    if (!verdict) {
      logger.info('sign-in refused', { cause: 'concurrent_attempt' });
      return undefined;
    }
    if (!verdict.ok) {
      logger.info('sign-in refused', { cause: verdict.cause });
      return undefined;
    }
    const user = await this.userFor(email, item);
    if (!user) {
      logger.info('sign-in refused', { cause: 'no_user' });
      return undefined;
    }
    // The person just proved they read this mailbox.
    const tokens = await this.issue({ ...user, emailVerified: true }, now);
    if (!user.emailVerified) await this.markEmailVerified(user.userId);
    logger.info('signed in', { userId: user.userId });
    return {
      tokens,
      user: { userId: user.userId, tenantId: user.tenantId, sessionEpoch: user.sessionEpoch },
    };
  }

  reissue(user: UserRecord): Promise<IssuedTokens> {
    return this.issue(user, this.now());
  }

  /** Nothing outside identity's table holds a local session. */
  async endSession(): Promise<void> {}

  private async issue(user: UserRecord, now: Date): Promise<IssuedTokens> {
    return issueTokens({
      user: {
        userId: user.userId,
        email: user.email,
        emailVerified: user.emailVerified,
        groups: user.groups,
        tenantId: user.tenantId,
      },
      issuer: this.options.issuer,
      clientId: this.options.clientId,
      key: await getIssuerKey(this.options.tableName, this.table.client),
      now,
      random: this.random,
      ...(this.options.tokenTtlSeconds ? { ttlSeconds: this.options.tokenTtlSeconds } : {}),
    });
  }

  private async userFor(email: string, challengeItem: Item | undefined): Promise<UserRecord | undefined> {
    // The claim is the truth (the user may have been removed or suspended since the code was sent).
    const claim = await this.table.claim(email);
    if (!claim || (challengeItem?.userId !== undefined && challengeItem.userId !== claim.userId))
      return undefined;
    return this.table.activeUser(claim);
  }

  private async markEmailVerified(userId: string): Promise<void> {
    await conditionalWrite(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: userKey(userId),
          UpdateExpression: 'SET #emailVerified = :true',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#emailVerified': 'emailVerified', '#pk': 'pk' },
          ExpressionAttributeValues: { ':true': true },
        }),
      ),
    );
  }
}
