/**
 * Sessions (refresh token families) in identity's table: `SESSION#<familyId>` / `SESSION`, deleted
 * by the table's TTL (`expiresAtEpoch`) once the session has expired. The item holds the SHA-256 of
 * the one refresh token that may be presented next, never a token; in Cognito mode it also holds the
 * pool's own refresh token for the session, which never leaves identity (clients only ever see ours).
 *
 * Rotation is one transaction: the new token's hash, conditioned on the presented token's hash still
 * being the current one (two refreshes with the same token cannot both win), and a check that the
 * person is still the active user the session was opened for (suspending them in between loses).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from '@switchyard/runtime';
import type { RevokeReason, Session } from '../../domain/sessions';
import { sessionTtlEpoch } from '../../domain/sessions';
import { userKey } from './challenge-table';

export const sessionKey = (familyId: string) => ({ pk: `SESSION#${familyId}`, sk: 'SESSION' });

/** A stored session and, in Cognito mode, the pool's refresh token behind it. */
export interface StoredSession {
  session: Session;
  providerRefreshToken?: string;
}

const SESSION_FIELDS = [
  'familyId',
  'userId',
  'tenantId',
  'sessionEpoch',
  'status',
  'tokenHash',
  'generation',
  'createdAt',
  'expiresAt',
  'rotatedAt',
  'revokedAt',
  'revokedReason',
] as const satisfies readonly (keyof Session)[];

function sessionFromItem(item: Record<string, unknown>): StoredSession {
  const session: Record<string, unknown> = {};
  for (const field of SESSION_FIELDS) if (item[field] !== undefined) session[field] = item[field];
  return {
    session: session as unknown as Session,
    ...(typeof item.providerRefreshToken === 'string'
      ? { providerRefreshToken: item.providerRefreshToken }
      : {}),
  };
}

export class SessionTable {
  constructor(
    readonly tableName: string,
    readonly client: DynamoDBDocumentClient,
  ) {}

  async open(stored: StoredSession): Promise<void> {
    const { session, providerRefreshToken } = stored;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...sessionKey(session.familyId),
          type: 'session',
          ...session,
          ...(providerRefreshToken === undefined ? {} : { providerRefreshToken }),
          expiresAtEpoch: sessionTtlEpoch(session),
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      }),
    );
  }

  async get(familyId: string): Promise<StoredSession | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: sessionKey(familyId), ConsistentRead: true }),
    );
    return Item ? sessionFromItem(Item) : undefined;
  }

  /**
   * Moves the session from `current` to `next` (new token hash, generation, rotatedAt) if its token
   * is still `current`'s and its user is still active at the epoch the session was opened at. False
   * when either lost.
   */
  async rotate(current: Session, next: Session): Promise<boolean> {
    const epochCondition =
      current.sessionEpoch === 0
        ? '(attribute_not_exists(#sessionEpoch) OR #sessionEpoch = :epoch)'
        : '#sessionEpoch = :epoch';
    return conditionalWrite(
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: sessionKey(current.familyId),
                UpdateExpression:
                  'SET #tokenHash = :next, #generation = :generation, #rotatedAt = :rotatedAt',
                ConditionExpression: '#tokenHash = :current AND #status = :active',
                ExpressionAttributeNames: {
                  '#tokenHash': 'tokenHash',
                  '#generation': 'generation',
                  '#rotatedAt': 'rotatedAt',
                  '#status': 'status',
                },
                ExpressionAttributeValues: {
                  ':next': next.tokenHash,
                  ':current': current.tokenHash,
                  ':generation': next.generation,
                  ':rotatedAt': next.rotatedAt,
                  ':active': 'active',
                },
              },
            },
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: userKey(current.userId),
                ConditionExpression: `#tenantId = :tenantId AND (attribute_not_exists(#status) OR #status = :active) AND ${epochCondition}`,
                ExpressionAttributeNames: {
                  '#tenantId': 'tenantId',
                  '#status': 'status',
                  '#sessionEpoch': 'sessionEpoch',
                },
                ExpressionAttributeValues: {
                  ':tenantId': current.tenantId,
                  ':active': 'active',
                  ':epoch': current.sessionEpoch,
                },
              },
            },
          ],
        }),
      ),
    );
  }

  /** Revokes the whole session for good; false when it was already revoked or does not exist. */
  async revoke(familyId: string, reason: RevokeReason, now: Date): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sessionKey(familyId),
          UpdateExpression: 'SET #status = :revoked, #revokedAt = :now, #revokedReason = :reason',
          ConditionExpression: 'attribute_exists(#pk) AND #status = :active',
          ExpressionAttributeNames: {
            '#pk': 'pk',
            '#status': 'status',
            '#revokedAt': 'revokedAt',
            '#revokedReason': 'revokedReason',
          },
          ExpressionAttributeValues: {
            ':revoked': 'revoked',
            ':active': 'active',
            ':now': now.toISOString(),
            ':reason': reason,
          },
        }),
      ),
    );
  }
}
