/**
 * The sign-in challenge item both modes keep in identity's table, `OTP#<email>` / `OTP` (TTL
 * `expiresAtEpoch`): the local issuer's code hash, or the Cognito session that links `/login` and
 * `/verify`, with the attempts left and whether it was used. Also the two reads both modes make
 * before they act: the e-mail claim and the user item.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from '@switchyard/runtime';
import type { Challenge } from '../../domain/otp';
import { normalizeEmail } from '../../domain/tenants';
import type { UserRecord } from '../../domain/users';
import { userFromItem } from '../../domain/users';

export const otpKey = (email: string) => ({ pk: `OTP#${normalizeEmail(email)}`, sk: 'OTP' });
const emailClaimKey = (email: string) => ({ pk: `EMAIL#${normalizeEmail(email)}`, sk: 'EMAIL' });
export const userKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'USER' });

export interface EmailClaim {
  userId: string;
  tenantId: string;
}

export type Item = Record<string, unknown>;

/** The TTL attribute's value (epoch seconds) for an ISO expiry. */
export const epochSeconds = (iso: string) => Math.ceil(Date.parse(iso) / 1000);

/** The groups of a user item, strings only. */
export const groupsOf = (user: Item | undefined): string[] =>
  Array.isArray(user?.groups) ? user.groups.filter((g): g is string => typeof g === 'string') : [];

/** The local issuer's challenge in a stored item; undefined for none (or a Cognito session). */
export function challengeFromItem(item: Item | undefined): Challenge | undefined {
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

/** Table access shared by both modes; every read is strongly consistent. */
export class ChallengeTable {
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

  /** The challenge item of an address, if any. */
  challenge(email: string): Promise<Item | undefined> {
    return this.get(otpKey(email));
  }

  async claim(email: string): Promise<EmailClaim | undefined> {
    const item = await this.get(emailClaimKey(email));
    return item && typeof item.userId === 'string' ? (item as unknown as EmailClaim) : undefined;
  }

  user(userId: string): Promise<Item | undefined> {
    return this.get(userKey(userId));
  }

  /**
   * The user an e-mail claim names, if they may sign in: still there, of the claim's tenant, and
   * active. A suspended person is treated exactly like an unknown address.
   */
  async activeUser(claim: EmailClaim | undefined): Promise<UserRecord | undefined> {
    if (!claim) return undefined;
    const user = userFromItem(await this.user(claim.userId));
    return user && user.tenantId === claim.tenantId && user.status === 'active' ? user : undefined;
  }

  /**
   * Writes a new challenge unless another request replaced the one we read in the meantime
   * (`previous`, the item read before, or undefined for none): of two parallel logins, only one
   * sends an e-mail.
   */
  async putFresh(item: Item & { createdAt: string }, previous: Item | undefined): Promise<boolean> {
    const previousCreatedAt = typeof previous?.createdAt === 'string' ? previous.createdAt : undefined;
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

  /** Removes the challenge we wrote (identified by its createdAt), e.g. after the e-mail failed. */
  async deleteIfUnchanged(email: string, createdAt: string): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: otpKey(email),
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
