/**
 * The identity table as a repository for tenants, users, e-mail claims and API keys. Item layout:
 * src/adapters/README.md. Every state change other services must hear about writes its event to
 * the outbox in the same TransactWriteItems (`outboxPut`), so an event is published if and only if
 * its change committed. Every attribute name goes through ExpressionAttributeNames.
 */
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ApiKeyCreated,
  ApiKeyRevoked,
  ApiKeyUpdated,
  TenantCreated,
  UserCreated,
} from '@switchyard/contracts';
import {
  conditionalWrite,
  conflict,
  CURSOR_SECRET_KEY,
  dynamoDbDocumentClient,
  isCancelledByCondition,
  outboxPut,
  queryAll,
  tableCursorSecret,
} from '@switchyard/runtime';
import type { ApiKeyRecord, KeyStatus } from '../domain/api-keys';
import { KEY_ID_LENGTH, lastUsedCutoff, transitionStatus } from '../domain/api-keys';
import type { CreatedTenant, Tenant, User } from '../domain/tenants';
import type { UserRecord } from '../domain/users';
import { sortGroups } from '../domain/users';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

export const keys = {
  tenant: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' }),
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'USER' }),
  emailClaim: (email: string) => ({ pk: `EMAIL#${email}`, sk: 'EMAIL' }),
  apiKey: (keyId: string) => ({ pk: `KEY#${keyId}`, sk: 'KEY' }),
  /** The random secret that signs pagination cursors (see README "Pagination cursors"). */
  cursorSecret: () => CURSOR_SECRET_KEY,
};

/** What `generateApiKey` issues; anything else cannot be a key id, so it is not looked up. */
const KEY_ID = new RegExp(`^[0-9a-hjkmnp-tv-z]{${KEY_ID_LENGTH}}$`);

const NOT_EXISTS = {
  ConditionExpression: 'attribute_not_exists(#pk)',
  ExpressionAttributeNames: { '#pk': 'pk' },
};

/** The fields of a stored key, in the order the domain declares them; anything else is table plumbing. */
const API_KEY_FIELDS = [
  'keyId',
  'tenantId',
  'environment',
  'role',
  'status',
  'secretHash',
  'name',
  'ownerEmail',
  'createdBy',
  'createdAt',
  'expiresAt',
  'lastUsedAt',
  'revokedAt',
] as const satisfies readonly (keyof ApiKeyRecord)[];

const TENANT_FIELDS = [
  'tenantId',
  'name',
  'status',
  'adminUserId',
  'createdAt',
] as const satisfies readonly (keyof Tenant)[];

function pick<T>(item: Item, fields: readonly string[]): T {
  const out: Item = {};
  for (const field of fields) if (item[field] !== undefined) out[field] = item[field];
  return out as T;
}

export function apiKeyItem(record: ApiKeyRecord): Item {
  return {
    ...keys.apiKey(record.keyId),
    type: 'apiKey',
    gsi1pk: `TENANT#${record.tenantId}`,
    gsi1sk: `KEY#${record.createdAt}#${record.keyId}`,
    ...(record.ownerEmail ? { gsi2pk: `KEYOWNER#${record.ownerEmail}`, gsi2sk: `KEY#${record.keyId}` } : {}),
    ...record,
  };
}

export function apiKeyFromItem(item: Item): ApiKeyRecord {
  return pick<ApiKeyRecord>(item, API_KEY_FIELDS);
}

/**
 * A user's item: listed under its tenant in gsi1 (`TENANT#<id>` / `USER#<userId>`). A user without
 * a status, revision or session epoch yet (a tenant's first admin) starts active, at 1 and 0.
 */
export function userItem(
  user: User & Partial<Pick<UserRecord, 'status' | 'revision' | 'sessionEpoch'>>,
): Item {
  return {
    ...keys.user(user.userId),
    type: 'user',
    gsi1pk: `TENANT#${user.tenantId}`,
    gsi1sk: `USER#${user.userId}`,
    status: 'active',
    revision: 1,
    sessionEpoch: 0,
    ...user,
  };
}

function apiKeyCreatedDetail(record: ApiKeyRecord) {
  return {
    tenantId: record.tenantId,
    keyId: record.keyId,
    role: record.role,
    status: record.status,
    secretHash: record.secretHash,
    createdAt: record.createdAt,
    ...(record.name === undefined ? {} : { name: record.name }),
    ...(record.ownerEmail === undefined ? {} : { ownerEmail: record.ownerEmail }),
    ...(record.createdBy === undefined ? {} : { createdBy: record.createdBy }),
    ...(record.expiresAt === undefined ? {} : { expiresAt: record.expiresAt }),
  };
}

export type RevokeOutcome = 'revoked' | 'already_revoked' | 'not_found';

export type StatusChangeOutcome =
  | { outcome: 'changed' | 'unchanged'; key: ApiKeyRecord }
  | { outcome: 'not_found' }
  | { outcome: 'forbidden'; message: string };

export interface Page<T> {
  items: T[];
  /** DynamoDB's LastEvaluatedKey: the caller signs it into an opaque cursor. */
  lastKey?: Record<string, unknown>;
}

/** A tenant's items of one kind in gsi1 (`TENANT#<id>` / `<prefix>…`): its keys or its users. */
export function tenantItemsQuery(tableName: string, tenantId: string, prefix: 'KEY#' | 'USER#') {
  return {
    TableName: tableName,
    IndexName: 'gsi1',
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': 'gsi1pk', '#sk': 'gsi1sk' },
    ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':prefix': prefix },
  };
}

/** One page of such items, newest first (their sort keys begin with a time or a ULID). */
export async function pageOfTenantItems<T>(
  client: DynamoDBDocumentClient,
  query: ReturnType<typeof tenantItemsQuery>,
  options: { limit: number; startKey?: Record<string, unknown> },
  toRecord: (item: Item) => T | undefined,
): Promise<Page<T>> {
  const result = await client.send(
    new QueryCommand({
      ...query,
      ScanIndexForward: false,
      Limit: options.limit,
      ...(options.startKey ? { ExclusiveStartKey: options.startKey } : {}),
    }),
  );
  return {
    items: (result.Items ?? []).flatMap((item) => toRecord(item) ?? []),
    ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}),
  };
}

export class IdentityStore {
  /**
   * The secret that signs this table's pagination cursors, created on first use and cached per
   * container: no secret in serverless.yml or the environment, one per stage (one table per stage).
   */
  readonly cursorSecret = tableCursorSecret({
    client: () => this.client,
    tableName: () => this.tableName,
    key: keys.cursorSecret(),
    attributes: { type: 'secret' },
  });

  constructor(
    readonly tableName: string,
    private readonly client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
  ) {}

  /**
   * One transaction: tenant, admin user, e-mail claim, first admin key, and TenantCreated,
   * UserCreated, ApiKeyCreated in the outbox. An e-mail already claimed is a 409.
   */
  async createTenant(created: CreatedTenant): Promise<void> {
    const { tenant, adminUser, apiKey } = created;
    const table = this.tableName;
    const items: TransactItem[] = [
      {
        Put: {
          TableName: table,
          // adminCount: the tenant's active admins, kept by every change of a user (never below 1).
          Item: { ...keys.tenant(tenant.tenantId), type: 'tenant', ...tenant, adminCount: 1 },
          ...NOT_EXISTS,
        },
      },
      { Put: { TableName: table, Item: userItem(adminUser), ...NOT_EXISTS } },
      {
        Put: {
          TableName: table,
          Item: {
            ...keys.emailClaim(adminUser.email),
            type: 'emailClaim',
            email: adminUser.email,
            userId: adminUser.userId,
            tenantId: tenant.tenantId,
            createdAt: adminUser.createdAt,
          },
          ...NOT_EXISTS,
        },
      },
      { Put: { TableName: table, Item: apiKeyItem(apiKey.record), ...NOT_EXISTS } },
      outboxPut(table, TenantCreated, {
        tenantId: tenant.tenantId,
        name: tenant.name,
        adminUserId: tenant.adminUserId,
        createdAt: tenant.createdAt,
        ...(created.checkoutSessionId ? { checkoutSessionId: created.checkoutSessionId } : {}),
      }),
      outboxPut(table, UserCreated, {
        tenantId: tenant.tenantId,
        userId: adminUser.userId,
        email: adminUser.email,
        role: adminUser.role,
        groups: sortGroups(adminUser.groups),
        status: 'active',
        createdAt: adminUser.createdAt,
      }),
      outboxPut(table, ApiKeyCreated, apiKeyCreatedDetail(apiKey.record)),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (isCancelledByCondition(error, 2)) {
        throw conflict('This e-mail address already belongs to a user.', {
          code: 'email_taken',
          details: [{ path: 'adminEmail', message: 'already belongs to a user' }],
        });
      }
      throw error;
    }
  }

  /**
   * `consistent`: a strongly consistent read, for callers that act on the answer right away (an
   * operator creating a key for a tenant created a moment ago must not get a stale 404).
   */
  async getTenant(tenantId: string, options: { consistent?: boolean } = {}): Promise<Tenant | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.tenant(tenantId),
        ...(options.consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return Item ? pick<Tenant>(Item, TENANT_FIELDS) : undefined;
  }

  /** One strongly consistent GetItem: a revocation is seen by the very next request. */
  async getApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    if (!KEY_ID.test(keyId)) return undefined;
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.apiKey(keyId), ConsistentRead: true }),
    );
    return Item ? apiKeyFromItem(Item) : undefined;
  }

  /** The key and its ApiKeyCreated event, in one transaction. */
  async createApiKey(record: ApiKeyRecord): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: apiKeyItem(record), ...NOT_EXISTS } },
          outboxPut(this.tableName, ApiKeyCreated, apiKeyCreatedDetail(record)),
        ],
      }),
    );
  }

  /** A tenant's keys, newest first, one page (gsi1: `TENANT#<id>` / `KEY#<createdAt>#<keyId>`). */
  listApiKeys(
    tenantId: string,
    options: { limit: number; startKey?: Record<string, unknown> },
  ): Promise<Page<ApiKeyRecord>> {
    return pageOfTenantItems(
      this.client,
      tenantItemsQuery(this.tableName, tenantId, 'KEY#'),
      options,
      apiKeyFromItem,
    );
  }

  /** Every key with this owner e-mail (gsi2), across tenants: callers filter by tenant. */
  async apiKeysByOwnerEmail(email: string): Promise<ApiKeyRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'gsi2pk' },
      ExpressionAttributeValues: { ':pk': `KEYOWNER#${email}` },
    });
    return items.map(apiKeyFromItem);
  }

  /**
   * Revokes a key of `tenantId`: status `revoked` and ApiKeyRevoked in one transaction, conditional on
   * the key belonging to the tenant and not being revoked yet, so a repeat (or a race) publishes no
   * second event. Another tenant's key is `not_found`, never distinguishable from a missing one.
   */
  async revokeApiKey(
    tenantId: string,
    keyId: string,
    options: { now: Date; revokedBy?: string; reason?: string },
  ): Promise<RevokeOutcome> {
    const current = await this.getApiKey(keyId);
    if (!current || current.tenantId !== tenantId) return 'not_found';
    if (current.status === 'revoked') return 'already_revoked';
    const revokedAt = options.now.toISOString();
    const written = await this.updateKeyWithEvent(
      keyId,
      {
        UpdateExpression: 'SET #status = :revoked, #revokedAt = :revokedAt',
        ConditionExpression: 'attribute_exists(#pk) AND #tenantId = :tenantId AND #status <> :revoked',
        ExpressionAttributeNames: {
          '#pk': 'pk',
          '#status': 'status',
          '#revokedAt': 'revokedAt',
          '#tenantId': 'tenantId',
        },
        ExpressionAttributeValues: { ':revoked': 'revoked', ':revokedAt': revokedAt, ':tenantId': tenantId },
      },
      outboxPut(this.tableName, ApiKeyRevoked, {
        tenantId,
        keyId,
        revokedAt,
        ...(options.revokedBy ? { revokedBy: options.revokedBy } : {}),
        ...(options.reason ? { reason: options.reason } : {}),
      }),
    );
    // Not written: someone revoked it between our read and our write, and their event is the one that counts.
    return written ? 'revoked' : 'already_revoked';
  }

  /** Activates or deactivates a key of `tenantId`, publishing ApiKeyUpdated with old and new state. */
  async changeApiKeyStatus(
    tenantId: string,
    keyId: string,
    status: Exclude<KeyStatus, 'revoked'>,
    options: { now: Date; updatedBy?: string },
  ): Promise<StatusChangeOutcome> {
    const current = await this.getApiKey(keyId);
    if (!current || current.tenantId !== tenantId) return { outcome: 'not_found' };
    const transition = transitionStatus(current.status, status);
    if (transition.outcome === 'forbidden') return { outcome: 'forbidden', message: transition.message };
    if (transition.outcome === 'unchanged') return { outcome: 'unchanged', key: current };
    const previous = current.status as Exclude<KeyStatus, 'revoked'>;
    const updatedAt = options.now.toISOString();
    const state = (s: Exclude<KeyStatus, 'revoked'>) => ({
      status: s,
      role: current.role,
      ...(current.expiresAt ? { expiresAt: current.expiresAt } : {}),
    });
    const written = await this.updateKeyWithEvent(
      keyId,
      {
        UpdateExpression: 'SET #status = :new, #updatedAt = :updatedAt',
        ConditionExpression: '#status = :old',
        ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':new': status, ':old': previous, ':updatedAt': updatedAt },
      },
      outboxPut(this.tableName, ApiKeyUpdated, {
        tenantId,
        keyId,
        old: state(previous),
        new: state(status),
        updatedAt,
        ...(options.updatedBy ? { updatedBy: options.updatedBy } : {}),
      }),
    );
    // Changed concurrently: answer from what is there now rather than guessing.
    if (!written) return this.changeApiKeyStatus(tenantId, keyId, status, options);
    return { outcome: 'changed', key: { ...current, status } };
  }

  /**
   * One transaction: a conditional update of key `keyId` and its event in the outbox. False (and
   * nothing published) when the key's condition failed; any other failure throws.
   */
  private async updateKeyWithEvent(
    keyId: string,
    update: Omit<NonNullable<TransactItem['Update']>, 'TableName' | 'Key'>,
    event: TransactItem,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: this.tableName, Key: keys.apiKey(keyId), ...update } },
            event,
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isCancelledByCondition(error, 0)) return false;
      throw error;
    }
  }

  /**
   * Records last-used at most once per interval: the condition makes concurrent requests that all
   * decided to record collapse into one write. Returns whether this call wrote.
   */
  async recordLastUsed(keyId: string, now: Date): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.apiKey(keyId),
          UpdateExpression: 'SET #lastUsedAt = :now',
          ConditionExpression:
            'attribute_exists(#pk) AND (attribute_not_exists(#lastUsedAt) OR #lastUsedAt < :cutoff)',
          ExpressionAttributeNames: { '#pk': 'pk', '#lastUsedAt': 'lastUsedAt' },
          ExpressionAttributeValues: { ':now': now.toISOString(), ':cutoff': lastUsedCutoff(now) },
        }),
      ),
    );
  }
}

let shared: IdentityStore | undefined;

/** The store for `TABLE_NAME`, one per container. */
export function identityStore(tableName: string): IdentityStore {
  if (shared?.tableName !== tableName) shared = new IdentityStore(tableName);
  return shared;
}
