/**
 * `CognitoSignIn` (AUTH_MODE=cognito): the user pool's choice-based sign-in (`USER_AUTH` with
 * `EMAIL_OTP`); Cognito generates, e-mails and checks the code and signs the tokens. The Cognito
 * session that links the two calls is kept server-side in the challenge item, so the HTTP contract
 * (`{email}`, then `{email, code}`) is the same as in local mode.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDbDocumentClient, logger } from '@switchyard/runtime';
import { CODE_TTL_MS, MAX_ATTEMPTS, RESEND_INTERVAL_MS } from '../../domain/otp';
import { normalizeEmail } from '../../domain/tenants';
import type { IssuedTokens } from '../../domain/tokens';
import { DEFAULT_TTL_SECONDS } from '../../domain/tokens';
import type { UserRecord } from '../../domain/users';
import { cognitoSdk } from '../aws-sdks';
import { ChallengeTable, epochSeconds, groupsOf, otpKey } from './challenge-table';
import type { SignedIn, SignIn } from './types';

/** What Cognito answers when it will not issue tokens (a wrong code, a revoked refresh token, ...). */
const REFUSALS = [
  'CodeMismatchException',
  'ExpiredCodeException',
  'NotAuthorizedException',
  'UserNotFoundException',
];

function refusedBy(error: unknown): string | undefined {
  const name = error instanceof Error ? error.name : undefined;
  return name !== undefined && REFUSALS.includes(name) ? name : undefined;
}

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
  private readonly table: ChallengeTable;
  private readonly now: () => Date;

  constructor(private readonly options: CognitoSignInOptions) {
    this.table = new ChallengeTable(options.tableName, options.client ?? dynamoDbDocumentClient());
    this.now = options.now ?? (() => new Date());
  }

  async startLogin(rawEmail: string): Promise<void> {
    const email = normalizeEmail(rawEmail);
    const [claim, current] = await Promise.all([this.table.claim(email), this.table.challenge(email)]);
    if (!claim || !(await this.table.activeUser(claim))) {
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
      new (cognitoSdk().InitiateAuthCommand)({
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
      current,
    );
    logger.info('sign-in code requested from Cognito');
  }

  async completeLogin(rawEmail: string, code: string): Promise<SignedIn | undefined> {
    const email = normalizeEmail(rawEmail);
    const item = await this.table.challenge(email);
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
    // Suspended or removed since the code was sent: refused like a wrong code (the pool's
    // pre-token-generation trigger would refuse too).
    const user = await this.table.activeUser(await this.table.claim(email));
    if (!user || user.userId !== item.userId) {
      logger.info('sign-in refused', { cause: 'no_user' });
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
        new (cognitoSdk().RespondToAuthChallengeCommand)({
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
        tokens: toIssuedTokens(result.IdToken, result.AccessToken, result.ExpiresIn),
        user: { userId: user.userId, tenantId: user.tenantId, sessionEpoch: user.sessionEpoch },
        ...(result.RefreshToken ? { providerRefreshToken: result.RefreshToken } : {}),
      };
    } catch (error) {
      const cause = refusedBy(error);
      if (!cause) throw error;
      logger.info('sign-in refused', { cause });
      return undefined;
    }
  }

  /**
   * REFRESH_TOKEN_AUTH with the pool's refresh token kept in the session (the app client does not
   * rotate it: identity's own token in front of it does). The pre-token-generation trigger puts the
   * user's current tenant and groups in the new tokens.
   */
  async reissue(
    _user: UserRecord,
    providerRefreshToken: string | undefined,
  ): Promise<IssuedTokens | undefined> {
    if (!providerRefreshToken) return undefined;
    try {
      const answer = await this.options.cognito.send(
        new (cognitoSdk().InitiateAuthCommand)({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: this.options.clientId,
          AuthParameters: { REFRESH_TOKEN: providerRefreshToken },
        }),
      );
      const result = answer.AuthenticationResult;
      if (!result?.IdToken || !result.AccessToken) return undefined;
      return toIssuedTokens(result.IdToken, result.AccessToken, result.ExpiresIn);
    } catch (error) {
      const cause = refusedBy(error);
      if (!cause) throw error;
      logger.info('refresh refused by Cognito', { cause });
      return undefined;
    }
  }

  /**
   * Revokes the pool's refresh token and the access tokens it issued, for Cognito's own endpoints.
   * Best effort: the session item, already revoked, is what identity checks.
   */
  async endSession(providerRefreshToken: string | undefined): Promise<void> {
    if (!providerRefreshToken) return;
    try {
      await this.options.cognito.send(
        new (cognitoSdk().RevokeTokenCommand)({
          ClientId: this.options.clientId,
          Token: providerRefreshToken,
        }),
      );
    } catch (error) {
      logger.warn('Cognito token revocation failed', {
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }

  private async ensurePoolUser(userId: string, email: string): Promise<void> {
    try {
      await this.options.cognito.send(
        new (cognitoSdk().AdminGetUserCommand)({ UserPoolId: this.options.userPoolId, Username: userId }),
      );
      return;
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'UserNotFoundException') throw error;
    }
    const user = await this.table.user(userId);
    const tenantId = typeof user?.tenantId === 'string' ? user.tenantId : undefined;
    try {
      await this.options.cognito.send(
        new (cognitoSdk().AdminCreateUserCommand)({
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
    for (const group of groupsOf(user)) {
      await this.options.cognito.send(
        new (cognitoSdk().AdminAddUserToGroupCommand)({
          UserPoolId: this.options.userPoolId,
          Username: userId,
          GroupName: group,
        }),
      );
    }
  }
}

function toIssuedTokens(idToken: string, accessToken: string, expiresIn: number | undefined): IssuedTokens {
  return { idToken, accessToken, expiresIn: expiresIn ?? DEFAULT_TTL_SECONDS, tokenType: 'Bearer' };
}
