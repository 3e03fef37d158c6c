/**
 * Sign-in for people with a 6-digit code sent by e-mail, behind one interface with two
 * implementations:
 *
 * - `LocalSignIn` (AUTH_MODE=local): our own Cognito-compatible issuer. Challenges live in the table
 *   (`OTP#<email>`/`OTP`, TTL `expiresAtEpoch`), the code is stored only as an HMAC keyed by a pepper
 *   kept at `ISSUER`/`PEPPER`, the e-mail goes through SES, tokens are signed with the key at
 *   `ISSUER`/`KEY#current`.
 * - `CognitoSignIn` (AUTH_MODE=cognito): the user pool's choice-based sign-in (`USER_AUTH` with
 *   `EMAIL_OTP`); Cognito generates, e-mails and checks the code and signs the tokens. The Cognito
 *   session that links the two calls is kept server-side in the same `OTP#<email>` item, so the
 *   HTTP contract (`{email}`, then `{email, code}`) is the same in both modes.
 *
 * Both answer every failure the same way (`undefined` from `completeLogin`), so the caller cannot
 * tell a wrong code from an expired, used or locked one or from an unknown address.
 */
import { randomBytes } from 'node:crypto';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CognitoIdentityProviderClient as CognitoClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  conditionalWrite,
  defineConfig,
  dynamoDbDocumentClient,
  getOrCreateItem,
  logger,
} from '@switchyard/runtime';
import { z } from 'zod';
import type { Challenge } from '../domain/otp';
import { CODE_TTL_MS, MAX_ATTEMPTS, RESEND_INTERVAL_MS, planLogin, verifyLogin } from '../domain/otp';
import type { RandomBytes } from '../domain/random';
import { normalizeEmail } from '../domain/tenants';
import type { IssuedTokens } from '../domain/tokens';
import { issueTokens } from '../domain/tokens';
import type { Mailer } from './mailer';
import { sesMailer } from './mailer';
import { getIssuerKey, ISSUER_PK } from './person-tokens';

export interface SignIn {
  /** Sends a code when the address belongs to a user; resolves the same way either way. */
  startLogin(email: string): Promise<void>;
  /** Tokens, or `undefined` for every kind of failure. */
  completeLogin(email: string, code: string): Promise<IssuedTokens | undefined>;
}

export const otpKey = (email: string) => ({ pk: `OTP#${normalizeEmail(email)}`, sk: 'OTP' });
const emailClaimKey = (email: string) => ({ pk: `EMAIL#${normalizeEmail(email)}`, sk: 'EMAIL' });
const userKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'USER' });
export const PEPPER_SK = 'PEPPER';

interface EmailClaim {
  userId: string;
  tenantId: string;
}

interface StoredUser {
  userId: string;
  tenantId: string;
  email: string;
  emailVerified?: boolean;
  groups?: string[];
}

type Item = Record<string, unknown>;

const epochSeconds = (iso: string) => Math.ceil(Date.parse(iso) / 1000);

/** Shared table access of both modes. */
class SignInTable {
  constructor(
    readonly tableName: string,
    readonly client: DynamoDBDocumentClient,
  ) {}

  async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  async claim(email: string): Promise<EmailClaim | undefined> {
    const item = await this.get(emailClaimKey(email));
    return item && typeof item.userId === 'string' ? (item as unknown as EmailClaim) : undefined;
  }

  /**
   * Writes a new challenge-like item unless another request replaced the one we read in the
   * meantime (`previousCreatedAt`): of two parallel logins, only one sends an e-mail.
   */
  async putFresh(
    item: Item & { createdAt: string },
    previousCreatedAt: string | undefined,
  ): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...(previousCreatedAt === undefined
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } }
            : {
                ConditionExpression: '#createdAt = :previous',
                ExpressionAttributeNames: { '#createdAt': 'createdAt' },
                ExpressionAttributeValues: { ':previous': previousCreatedAt },
              }),
        }),
      ),
    );
  }

  /** Removes the item we wrote (identified by its createdAt), e.g. after the e-mail failed. */
  async deleteIfUnchanged(key: { pk: string; sk: string }, createdAt: string): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: '#createdAt = :createdAt',
          ExpressionAttributeNames: { '#createdAt': 'createdAt' },
          ExpressionAttributeValues: { ':createdAt': createdAt },
        }),
      ),
    );
  }

  /**
   * Stores a challenge's new `attemptsLeft`/`used` only if nobody changed them since we read them:
   * two parallel guesses cannot both spend the same attempt, and a code is used at most once.
   */
  async transition(
    email: string,
    before: { createdAt: string; attemptsLeft: number },
    after: { attemptsLeft: number; used: boolean },
  ): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: otpKey(email),
          UpdateExpression: 'SET #attemptsLeft = :attemptsLeft, #used = :used',
          ConditionExpression:
            '#createdAt = :createdAt AND #attemptsLeft = :attemptsBefore AND #used = :false',
          ExpressionAttributeNames: {
            '#attemptsLeft': 'attemptsLeft',
            '#used': 'used',
            '#createdAt': 'createdAt',
          },
          ExpressionAttributeValues: {
            ':attemptsLeft': after.attemptsLeft,
            ':used': after.used,
            ':createdAt': before.createdAt,
            ':attemptsBefore': before.attemptsLeft,
            ':false': false,
          },
        }),
      ),
    );
  }
}

function challengeFromItem(item: Item | undefined): Challenge | undefined {
  if (!item || typeof item.codeHash !== 'string') return undefined;
  return {
    email: String(item.email),
    codeHash: item.codeHash,
    createdAt: String(item.createdAt),
    expiresAt: String(item.expiresAt),
    attemptsLeft: Number(item.attemptsLeft),
    used: item.used === true,
  };
}

// ---- Local mode -------------------------------------------------------------------------------

export interface LocalSignInOptions {
  tableName: string;
  issuer: string;
  clientId: string;
  mailer: Mailer;
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

/** How often a guess that lost a race for the challenge is judged again before it is refused. */
const MAX_CONCURRENT_ROUNDS = 10;

export class LocalSignIn implements SignIn {
  private readonly table: SignInTable;
  private readonly now: () => Date;
  private readonly random: RandomBytes;

  constructor(private readonly options: LocalSignInOptions) {
    this.table = new SignInTable(options.tableName, options.client ?? dynamoDbDocumentClient());
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? ((size) => randomBytes(size));
  }

  async startLogin(rawEmail: string): Promise<void> {
    const email = normalizeEmail(rawEmail);
    const [claim, current, secret] = await Promise.all([
      this.table.claim(email),
      this.table.get(otpKey(email)),
      getPepper(this.options.tableName, this.table.client),
    ]);
    const previous = challengeFromItem(current);
    const plan = planLogin(
      { email, userExists: claim !== undefined, ...(previous ? { current: previous } : {}) },
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
    if (
      !(await this.table.putFresh(
        item,
        typeof current?.createdAt === 'string' ? current.createdAt : undefined,
      ))
    ) {
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
      await this.table.deleteIfUnchanged(otpKey(email), challenge.createdAt);
    }
  }

  async completeLogin(rawEmail: string, code: string): Promise<IssuedTokens | undefined> {
    const email = normalizeEmail(rawEmail);
    const secret = await getPepper(this.options.tableName, this.table.client);
    // Every guess must count against the 5 tries, also when guesses arrive in parallel: a guess that
    // loses the conditional write re-reads the challenge and is judged again against the new state.
    let item: Record<string, unknown> | undefined;
    let verdict: ReturnType<typeof verifyLogin> | undefined;
    let now = this.now();
    for (let round = 0; round < MAX_CONCURRENT_ROUNDS && !verdict; round++) {
      item = await this.table.get(otpKey(email));
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
    const tokens = await issueTokens({
      user: {
        userId: user.userId,
        email,
        // The person just proved they read this mailbox.
        emailVerified: true,
        groups: user.groups ?? [],
        tenantId: user.tenantId,
      },
      issuer: this.options.issuer,
      clientId: this.options.clientId,
      key: await getIssuerKey(this.options.tableName, this.table.client),
      now,
      random: this.random,
      ...(this.options.tokenTtlSeconds ? { ttlSeconds: this.options.tokenTtlSeconds } : {}),
    });
    if (user.emailVerified !== true) await this.markEmailVerified(user.userId);
    logger.info('signed in', { userId: user.userId });
    return tokens;
  }

  private async userFor(email: string, challengeItem: Item | undefined): Promise<StoredUser | undefined> {
    // The claim is the truth (the user may have been removed since the code was sent).
    const claim = await this.table.claim(email);
    if (!claim || (challengeItem?.userId !== undefined && challengeItem.userId !== claim.userId))
      return undefined;
    const user = await this.table.get(userKey(claim.userId));
    if (!user) return undefined;
    return {
      userId: claim.userId,
      tenantId: typeof user.tenantId === 'string' ? user.tenantId : claim.tenantId,
      email,
      emailVerified: user.emailVerified === true,
      groups: Array.isArray(user.groups) ? user.groups.filter((g): g is string => typeof g === 'string') : [],
    };
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

// ---- Cognito mode -----------------------------------------------------------------------------

export interface CognitoSignInOptions {
  tableName: string;
  userPoolId: string;
  clientId: string;
  cognito: CognitoIdentityProviderClient;
  client?: DynamoDBDocumentClient;
  now?: () => Date;
}

/**
 * Cognito's USER_AUTH flow with the EMAIL_OTP factor (Essentials tier). The Cognito username is our
 * user id; the user is created in the pool (without a password, invitation suppressed, e-mail
 * verified, `custom:tenantId`, groups) the first time they sign in, so the pool needs no separate
 * provisioning. Cognito enforces the code's validity and single use; the attempts counter in our
 * item caps guesses at MAX_ATTEMPTS per code whatever Cognito allows.
 */
export class CognitoSignIn implements SignIn {
  private readonly table: SignInTable;
  private readonly now: () => Date;

  constructor(private readonly options: CognitoSignInOptions) {
    this.table = new SignInTable(options.tableName, options.client ?? dynamoDbDocumentClient());
    this.now = options.now ?? (() => new Date());
  }

  async startLogin(rawEmail: string): Promise<void> {
    const email = normalizeEmail(rawEmail);
    const [claim, current] = await Promise.all([this.table.claim(email), this.table.get(otpKey(email))]);
    if (!claim) {
      logger.info('sign-in code not sent', { reason: 'unknown_user' });
      return;
    }
    const now = this.now();
    if (
      current &&
      current.used !== true &&
      typeof current.createdAt === 'string' &&
      now.getTime() - Date.parse(current.createdAt) < RESEND_INTERVAL_MS
    ) {
      logger.info('sign-in code not sent', { reason: 'too_soon' });
      return;
    }
    await this.ensurePoolUser(claim.userId, email);
    const started = await this.options.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_AUTH',
        ClientId: this.options.clientId,
        AuthParameters: { USERNAME: claim.userId, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
      }),
    );
    if (started.ChallengeName !== 'EMAIL_OTP' || !started.Session) {
      throw new Error(`Cognito answered USER_AUTH with ${started.ChallengeName ?? 'no challenge'}`);
    }
    const createdAt = now.toISOString();
    const expiresAt = new Date(now.getTime() + CODE_TTL_MS).toISOString();
    await this.table.putFresh(
      {
        ...otpKey(email),
        type: 'cognitoSession',
        email,
        userId: claim.userId,
        session: started.Session,
        createdAt,
        expiresAt,
        attemptsLeft: MAX_ATTEMPTS,
        used: false,
        expiresAtEpoch: epochSeconds(expiresAt),
      },
      typeof current?.createdAt === 'string' ? current.createdAt : undefined,
    );
    logger.info('sign-in code requested from Cognito');
  }

  async completeLogin(rawEmail: string, code: string): Promise<IssuedTokens | undefined> {
    const email = normalizeEmail(rawEmail);
    const item = await this.table.get(otpKey(email));
    const now = this.now();
    if (
      !item ||
      typeof item.session !== 'string' ||
      typeof item.userId !== 'string' ||
      item.used === true ||
      Number(item.attemptsLeft) <= 0 ||
      now.getTime() >= Date.parse(String(item.expiresAt))
    ) {
      logger.info('sign-in refused', { cause: item ? 'no_usable_session' : 'no_challenge' });
      return undefined;
    }
    const before = { createdAt: String(item.createdAt), attemptsLeft: Number(item.attemptsLeft) };
    // Spend the attempt before asking Cognito, so parallel guesses cannot exceed the limit.
    if (
      !(await this.table.transition(email, before, { attemptsLeft: before.attemptsLeft - 1, used: false }))
    ) {
      logger.info('sign-in refused', { cause: 'concurrent_attempt' });
      return undefined;
    }
    try {
      const answer = await this.options.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: this.options.clientId,
          ChallengeName: 'EMAIL_OTP',
          Session: item.session,
          ChallengeResponses: { USERNAME: item.userId, EMAIL_OTP_CODE: String(code).trim() },
        }),
      );
      const result = answer.AuthenticationResult;
      if (!result?.IdToken || !result.AccessToken) {
        logger.info('sign-in refused', { cause: answer.ChallengeName ?? 'no_tokens' });
        return undefined;
      }
      // Single use on our side too: the session item cannot start another attempt.
      await this.table.transition(
        email,
        { createdAt: before.createdAt, attemptsLeft: before.attemptsLeft - 1 },
        { attemptsLeft: before.attemptsLeft - 1, used: true },
      );
      return {
        idToken: result.IdToken,
        accessToken: result.AccessToken,
        expiresIn: result.ExpiresIn ?? 3600,
        tokenType: 'Bearer',
      };
    } catch (error) {
      const name = error instanceof Error ? error.name : 'unknown';
      const refused = ['CodeMismatchException', 'ExpiredCodeException', 'NotAuthorizedException'];
      if (!refused.includes(name)) throw error;
      logger.info('sign-in refused', { cause: name });
      return undefined;
    }
  }

  private async ensurePoolUser(userId: string, email: string): Promise<void> {
    try {
      await this.options.cognito.send(
        new AdminGetUserCommand({ UserPoolId: this.options.userPoolId, Username: userId }),
      );
      return;
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'UserNotFoundException') throw error;
    }
    const user = await this.table.get(userKey(userId));
    const tenantId = typeof user?.tenantId === 'string' ? user.tenantId : undefined;
    try {
      await this.options.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: this.options.userPoolId,
          Username: userId,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
            ...(tenantId ? [{ Name: 'custom:tenantId', Value: tenantId }] : []),
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'UsernameExistsException') throw error;
    }
    const groups = Array.isArray(user?.groups)
      ? user.groups.filter((g): g is string => typeof g === 'string')
      : [];
    for (const group of groups) {
      await this.options.cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: this.options.userPoolId,
          Username: userId,
          GroupName: group,
        }),
      );
    }
  }
}

// ---- From the environment ---------------------------------------------------------------------

export const signInConfig = defineConfig(
  z.object({
    AUTH_MODE: z.enum(['local', 'cognito']),
    TABLE_NAME: z.string().min(1),
    ISSUER_URL: z.url(),
    CLIENT_ID: z.string().min(1),
    /** Cognito mode only. */
    USER_POOL_ID: z.string().min(1).optional(),
    /** Local mode only: the SES sender of the code e-mails. */
    SIGN_IN_FROM_ADDRESS: z.string().min(3).default('no-reply@switchyard.local'),
    /**
     * `POST /auth/login` never answers sooner than this, so an address with an account (table
     * writes + an e-mail) and one without (two reads) take about as long.
     */
    LOGIN_MIN_RESPONSE_MS: z.coerce.number().int().min(0).max(5000).default(400),
  }),
);

let configured: SignIn | undefined;

/** The implementation AUTH_MODE selects, built once per process. */
export function signInFromEnvironment(): SignIn {
  if (configured) return configured;
  const config = signInConfig();
  if (config.AUTH_MODE === 'local') {
    configured = new LocalSignIn({
      tableName: config.TABLE_NAME,
      issuer: config.ISSUER_URL,
      clientId: config.CLIENT_ID,
      mailer: sesMailer({ from: config.SIGN_IN_FROM_ADDRESS }),
    });
  } else {
    if (!config.USER_POOL_ID) throw new Error('USER_POOL_ID is required in cognito auth mode');
    configured = new CognitoSignIn({
      tableName: config.TABLE_NAME,
      userPoolId: config.USER_POOL_ID,
      clientId: config.CLIENT_ID,
      cognito: new CognitoClient({ retryMode: 'standard', maxAttempts: 3 }),
    });
  }
  return configured;
}

/** Runs `work`, then waits until at least `minMs` have passed since the start (timing padding). */
export async function withMinimumDuration<T>(minMs: number, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    const left = minMs - (Date.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
}

/** For tests: forget the memoised pepper and configuration. */
export function resetSignInForTests(): void {
  pepper = undefined;
  configured = undefined;
  signInConfig.reset();
}
