/**
 * Connection records in identity's table: `USER#<userId>` / `CONNECTION#<provider>`. A connected
 * connection with an expiry is also in gsi2 (`CONNECTIONS` / `<expiresAt>#<userId>#<provider>`), a
 * sparse index the refresh job reads by expiry; needing reauthorisation removes it from there.
 * Tokens are never here: they are behind the TokenVault.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConnectionNeedsReauth } from '@switchyard/contracts';
import { conditionalWrite, dynamoDbDocumentClient, outboxPut, queryAll } from '@switchyard/runtime';
import type { Connection, ConnectionStatus } from '../domain/oauth';
import { connectionsConfig, createProviderRegistry } from './providers';
import type { ConnectionsConfig, ProviderRegistry } from './providers';
import { createTokenVault, stateSecret } from './token-vault';
import type { TokenVault } from './token-vault';

export const CONNECTIONS_GSI_PK = 'CONNECTIONS';
export const connectionKey = (userId: string, provider: string) => ({
  pk: `USER#${userId}`,
  sk: `CONNECTION#${provider}`,
});
export const connectionsIndexSortKey = (c: Pick<Connection, 'expiresAt' | 'userId' | 'provider'>) =>
  `${c.expiresAt}#${c.userId}#${c.provider}`;

export type ReauthReason = 'token_expired' | 'token_revoked' | 'scopes_changed' | 'refresh_failed';

export interface ConnectionStore {
  get(userId: string, provider: string): Promise<Connection | undefined>;
  listForUser(userId: string): Promise<Connection[]>;
  /** Writes a connected connection (after the callback stored its tokens). */
  saveConnected(connection: Connection): Promise<void>;
  /** Connected connections whose tokens expire before `before`, oldest expiry first. */
  dueBefore(before: Date): Promise<Connection[]>;
  /** Claims the connection for one refresh; false when another run holds it or it is not connected. */
  acquireRefreshLease(connection: Connection, now: Date, leaseMs: number): Promise<boolean>;
  /** Records a successful refresh (new expiry), releasing the lease. False when no longer connected. */
  saveRefreshed(connection: Connection): Promise<boolean>;
  /**
   * Marks `needs_reauth` and publishes ConnectionNeedsReauth in the same transaction. False (and
   * nothing published) when the connection was no longer connected.
   */
  markNeedsReauth(connection: Connection, reason: ReauthReason, now: Date): Promise<boolean>;
}

function toConnection(item: Record<string, unknown>): Connection {
  return {
    userId: String(item.userId),
    tenantId: String(item.tenantId),
    provider: String(item.provider),
    status: item.status as ConnectionStatus,
    ...(typeof item.expiresAt === 'string' ? { expiresAt: item.expiresAt } : {}),
    connectedAt: String(item.connectedAt),
    updatedAt: String(item.updatedAt),
  };
}

export class DynamoConnectionStore implements ConnectionStore {
  constructor(
    private readonly tableName: string,
    private readonly ddb: DynamoDBDocumentClient = dynamoDbDocumentClient(),
  ) {}

  async get(userId: string, provider: string): Promise<Connection | undefined> {
    const { Item } = await this.ddb.send(
      new GetCommand({
        TableName: this.tableName,
        Key: connectionKey(userId, provider),
        ConsistentRead: true,
      }),
    );
    return Item ? toConnection(Item) : undefined;
  }

  async listForUser(userId: string): Promise<Connection[]> {
    const items = await queryAll(this.ddb, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': 'CONNECTION#' },
    });
    return items.map(toConnection);
  }

  async saveConnected(connection: Connection): Promise<void> {
    await this.ddb.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...connectionKey(connection.userId, connection.provider),
          ...connection,
          ...(connection.status === 'connected' && connection.expiresAt
            ? { gsi2pk: CONNECTIONS_GSI_PK, gsi2sk: connectionsIndexSortKey(connection) }
            : {}),
        },
      }),
    );
  }

  async dueBefore(before: Date): Promise<Connection[]> {
    const items = await queryAll(this.ddb, {
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: '#gpk = :gpk AND #gsk < :before',
      ExpressionAttributeNames: { '#gpk': 'gsi2pk', '#gsk': 'gsi2sk' },
      // `#` sorts after every character of an ISO timestamp, so an expiry equal to `before` counts.
      ExpressionAttributeValues: { ':gpk': CONNECTIONS_GSI_PK, ':before': `${before.toISOString()}#~` },
    });
    return items.map(toConnection);
  }

  async acquireRefreshLease(connection: Connection, now: Date, leaseMs: number): Promise<boolean> {
    return conditionalWrite(
      this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: connectionKey(connection.userId, connection.provider),
          UpdateExpression: 'SET #lease = :until',
          ConditionExpression: '#status = :connected AND (attribute_not_exists(#lease) OR #lease < :now)',
          ExpressionAttributeNames: { '#lease': 'refreshLeaseUntil', '#status': 'status' },
          ExpressionAttributeValues: {
            ':until': new Date(now.getTime() + leaseMs).toISOString(),
            ':now': now.toISOString(),
            ':connected': 'connected',
          },
        }),
      ),
    );
  }

  async saveRefreshed(connection: Connection): Promise<boolean> {
    const withExpiry = connection.expiresAt !== undefined;
    return conditionalWrite(
      this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: connectionKey(connection.userId, connection.provider),
          UpdateExpression: withExpiry
            ? 'SET #expiresAt = :expiresAt, #updatedAt = :updatedAt, #gsk = :gsk REMOVE #lease'
            : 'SET #updatedAt = :updatedAt REMOVE #expiresAt, #gpk, #gsk, #lease',
          ConditionExpression: '#status = :connected',
          ExpressionAttributeNames: {
            '#updatedAt': 'updatedAt',
            '#gsk': 'gsi2sk',
            '#lease': 'refreshLeaseUntil',
            '#status': 'status',
            '#expiresAt': 'expiresAt',
            ...(withExpiry ? {} : { '#gpk': 'gsi2pk' }),
          },
          ExpressionAttributeValues: {
            ':updatedAt': connection.updatedAt,
            ':connected': 'connected',
            ...(withExpiry
              ? { ':expiresAt': connection.expiresAt, ':gsk': connectionsIndexSortKey(connection) }
              : {}),
          },
        }),
      ),
    );
  }

  async markNeedsReauth(connection: Connection, reason: ReauthReason, now: Date): Promise<boolean> {
    return conditionalWrite(
      this.ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: connectionKey(connection.userId, connection.provider),
                UpdateExpression:
                  'SET #status = :needs, #updatedAt = :now, #reason = :reason REMOVE #gpk, #gsk, #lease',
                ConditionExpression: '#status = :connected',
                ExpressionAttributeNames: {
                  '#status': 'status',
                  '#updatedAt': 'updatedAt',
                  '#reason': 'reauthReason',
                  '#gpk': 'gsi2pk',
                  '#gsk': 'gsi2sk',
                  '#lease': 'refreshLeaseUntil',
                },
                ExpressionAttributeValues: {
                  ':needs': 'needs_reauth',
                  ':connected': 'connected',
                  ':now': now.toISOString(),
                  ':reason': reason,
                },
              },
            },
            outboxPut(this.tableName, ConnectionNeedsReauth, {
              tenantId: connection.tenantId,
              userId: connection.userId,
              provider: connection.provider,
              reason,
              detectedAt: now.toISOString(),
            }),
          ],
        }),
      ),
    );
  }
}

export interface ConnectionServices {
  config: ConnectionsConfig;
  providers: ProviderRegistry;
  store: ConnectionStore;
  vault: TokenVault;
  stateSecret: () => Promise<Buffer>;
}

let services: ConnectionServices | undefined;

/** What the connection handlers use, built once per container from the environment. */
export function connectionServices(): ConnectionServices {
  if (services) return services;
  const config = connectionsConfig();
  let secret: Promise<Buffer> | undefined;
  services = {
    config,
    providers: createProviderRegistry(config),
    store: new DynamoConnectionStore(config.TABLE_NAME),
    vault: createTokenVault(config),
    stateSecret: () =>
      (secret ??= stateSecret(config).catch((error: unknown) => {
        secret = undefined;
        throw error;
      })),
  };
  return services;
}
