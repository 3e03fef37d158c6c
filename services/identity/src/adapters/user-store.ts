/**
 * A tenant's people in identity's table: the user items (`USER#<userId>` / `USER`, listed under
 * their tenant in gsi1), their e-mail claims, and the tenant's count of active admins
 * (`adminCount` on the tenant item). Every change is one TransactWriteItems with its event in the
 * outbox (UserCreated, UserUpdated, UserRemoved), conditioned on the user's `revision` as it was
 * read, so a change made in between is never overwritten; a change that removes an active admin
 * also decrements `adminCount` on the condition that it stays at least 1, which is what keeps two
 * admins demoting each other at the same moment from leaving the tenant with none.
 */
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { UserCreated, UserRemoved, UserUpdated } from '@switchyard/contracts';
import {
  cancellationReasons,
  conditionalWrite,
  conflict,
  dynamoDbDocumentClient,
  outboxPut,
  queryAll,
} from '@switchyard/runtime';
import type { PlannedChange, UserRecord } from '../domain/users';
import { isActiveAdmin, sortGroups, userFromItem, userState } from '../domain/users';
import type { Page } from './identity-store';
import { keys, pageOfTenantItems, tenantItemsQuery, userItem } from './identity-store';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Changed = Extract<PlannedChange, { outcome: 'changed' }>;

/** What a write of a user came to. `stale`: someone changed the user (or the tenant) in between. */
export type UserWriteOutcome = 'written' | 'stale' | 'last_admin';

export const profileKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' });
/** activity's totals for the person (from its PersonActivityChanged; profile-store.ts writes them). */
export const activityKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'ACTIVITY' });

/** The user's revision must still be the one read (items written before revisions had none). */
function sameRevision(user: UserRecord) {
  return {
    ConditionExpression:
      'attribute_exists(#pk) AND (attribute_not_exists(#revision) OR #revision = :revision)',
    names: { '#pk': 'pk', '#revision': 'revision' },
    values: { ':revision': user.revision },
  };
}

/**
 * The transaction item that writes a planned change of `current` (groups, role, status, session
 * epoch, display name, revision, updatedAt; nothing else, so a concurrent sign-in's emailVerified
 * stays), conditioned on its revision.
 */
export function userUpdateItem(tableName: string, current: UserRecord, next: UserRecord): TransactItem {
  const condition = sameRevision(current);
  const set = ['#groups = :groups', '#role = :role', '#status = :status', '#sessionEpoch = :sessionEpoch'];
  set.push('#revision = :next', '#updatedAt = :updatedAt');
  const values: Record<string, unknown> = {
    ...condition.values,
    ':groups': sortGroups(next.groups),
    ':role': next.role,
    ':status': next.status,
    ':sessionEpoch': next.sessionEpoch,
    ':next': next.revision,
    ':updatedAt': next.updatedAt,
  };
  if (next.displayName !== undefined) {
    set.push('#displayName = :displayName');
    values[':displayName'] = next.displayName;
  }
  return {
    Update: {
      TableName: tableName,
      Key: keys.user(current.userId),
      UpdateExpression: `SET ${set.join(', ')}${next.displayName === undefined ? ' REMOVE #displayName' : ''}`,
      ConditionExpression: condition.ConditionExpression,
      ExpressionAttributeNames: {
        ...condition.names,
        '#groups': 'groups',
        '#role': 'role',
        '#status': 'status',
        '#sessionEpoch': 'sessionEpoch',
        '#updatedAt': 'updatedAt',
        '#displayName': 'displayName',
      },
      ExpressionAttributeValues: values,
    },
  };
}

/** UserUpdated for a planned change, in the outbox of `tableName`. */
export function userUpdatedPut(
  tableName: string,
  current: UserRecord,
  change: Changed,
  updatedBy: string | undefined,
): TransactItem {
  return outboxPut(tableName, UserUpdated, {
    tenantId: current.tenantId,
    userId: current.userId,
    changedFields: change.changedFields,
    old: userState(current),
    new: userState(change.next),
    revision: change.next.revision,
    ...(updatedBy === undefined ? {} : { updatedBy }),
    updatedAt: change.next.updatedAt,
  });
}

/** The tenant's admin count moved by `delta`; a decrement only while another active admin remains. */
function adminCountItem(tableName: string, tenantId: string, delta: -1 | 1): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.tenant(tenantId),
      UpdateExpression: 'SET #adminCount = #adminCount + :delta',
      ConditionExpression:
        delta < 0 ? 'attribute_exists(#pk) AND #adminCount > :one' : 'attribute_exists(#adminCount)',
      ExpressionAttributeNames: { '#adminCount': 'adminCount', ...(delta < 0 ? { '#pk': 'pk' } : {}) },
      ExpressionAttributeValues: { ':delta': delta, ...(delta < 0 ? { ':one': 1 } : {}) },
    },
  };
}

/**
 * Why a transaction was cancelled: `condition` failed at `index`, `contended` when it met another
 * transaction on the same items (DynamoDB cancels one of the two; trying again is right), or
 * undefined for any other error (thrown on).
 */
function cancelledAt(error: unknown): { failedIndex: number | undefined; contended: boolean } | undefined {
  const reasons = cancellationReasons(error);
  if (!reasons) return undefined;
  const failedIndex = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
  return {
    failedIndex: failedIndex >= 0 ? failedIndex : undefined,
    contended: reasons.some((reason) => reason.Code === 'TransactionConflict'),
  };
}

export class UserStore {
  constructor(
    readonly tableName: string,
    private readonly client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
  ) {}

  /** `consistent` for callers that act on the answer (a change, a sign-in, an authorisation). */
  async getUser(userId: string, options: { consistent?: boolean } = {}): Promise<UserRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.user(userId),
        ...(options.consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return userFromItem(Item);
  }

  /** One page of a tenant's users, newest first (gsi1 `TENANT#<id>` / `USER#<userId>`; ids are ULIDs). */
  listUsers(
    tenantId: string,
    options: { limit: number; startKey?: Record<string, unknown> },
  ): Promise<Page<UserRecord>> {
    return pageOfTenantItems(
      this.client,
      tenantItemsQuery(this.tableName, tenantId, 'USER#'),
      options,
      userFromItem,
    );
  }

  /**
   * The tenant's admin count, counted once from its users for a tenant created before the count
   * existed (the first writer wins; everyone else uses what it wrote).
   */
  async ensureAdminCount(tenantId: string): Promise<void> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.tenant(tenantId), ConsistentRead: true }),
    );
    if (!Item || typeof Item.adminCount === 'number') return;
    const users = await queryAll(this.client, tenantItemsQuery(this.tableName, tenantId, 'USER#'));
    const admins = users.flatMap((item) => userFromItem(item) ?? []).filter(isActiveAdmin).length;
    await conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.tenant(tenantId),
          UpdateExpression: 'SET #adminCount = :count',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#adminCount)',
          ExpressionAttributeNames: { '#pk': 'pk', '#adminCount': 'adminCount' },
          ExpressionAttributeValues: { ':count': admins },
        }),
      ),
    );
  }

  /**
   * One transaction: the user, their e-mail claim (an address already in use anywhere is a 409
   * `email_taken` naming no tenant), the tenant's admin count when they join as an admin, and
   * UserCreated.
   */
  async inviteUser(user: UserRecord): Promise<void> {
    const table = this.tableName;
    const notExists = {
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    };
    if (isActiveAdmin(user)) await this.ensureAdminCount(user.tenantId);
    const items: TransactItem[] = [
      {
        Put: {
          TableName: table,
          Item: {
            ...keys.emailClaim(user.email),
            type: 'emailClaim',
            email: user.email,
            userId: user.userId,
            tenantId: user.tenantId,
            createdAt: user.createdAt,
          },
          ...notExists,
        },
      },
      { Put: { TableName: table, Item: userItem(user), ...notExists } },
      outboxPut(table, UserCreated, {
        tenantId: user.tenantId,
        userId: user.userId,
        email: user.email,
        role: user.role,
        groups: sortGroups(user.groups),
        status: user.status,
        ...(user.invitedBy === undefined ? {} : { invitedBy: user.invitedBy }),
        ...(user.displayName === undefined ? {} : { displayName: user.displayName }),
        createdAt: user.createdAt,
      }),
      ...(isActiveAdmin(user) ? [adminCountItem(table, user.tenantId, 1)] : []),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (cancelledAt(error)?.failedIndex === 0) {
        throw conflict('The e-mail address already belongs to a user.', {
          code: 'email_taken',
          details: [{ path: 'email', message: 'already belongs to a user' }],
        });
      }
      throw error;
    }
  }

  /** A tenant admin's change of `current` (groups, status) with UserUpdated, in one transaction. */
  async updateUser(current: UserRecord, change: Changed, updatedBy: string): Promise<UserWriteOutcome> {
    return this.write(
      [
        userUpdateItem(this.tableName, current, change.next),
        userUpdatedPut(this.tableName, current, change, updatedBy),
        ...(change.adminDelta === 0
          ? []
          : [adminCountItem(this.tableName, current.tenantId, change.adminDelta)]),
      ],
      current,
      change.adminDelta,
    );
  }

  /**
   * Removes `current` for good: the user, their e-mail claim (the address may join again, as a new
   * user), their profile and activity's totals for them, with UserRemoved, in one transaction. Their sessions end with the user
   * item they need to refresh.
   */
  async removeUser(
    current: UserRecord,
    options: { removedBy: string; now: Date },
  ): Promise<UserWriteOutcome> {
    const table = this.tableName;
    const condition = sameRevision(current);
    const delta = isActiveAdmin(current) ? -1 : 0;
    const state = userState(current);
    return this.write(
      [
        {
          Delete: {
            TableName: table,
            Key: keys.user(current.userId),
            ConditionExpression: condition.ConditionExpression,
            ExpressionAttributeNames: condition.names,
            ExpressionAttributeValues: condition.values,
          },
        },
        outboxPut(table, UserRemoved, {
          tenantId: current.tenantId,
          userId: current.userId,
          ...state,
          removedBy: options.removedBy,
          removedAt: options.now.toISOString(),
        }),
        {
          Delete: {
            TableName: table,
            Key: keys.emailClaim(current.email),
            ConditionExpression: '#userId = :userId',
            ExpressionAttributeNames: { '#userId': 'userId' },
            ExpressionAttributeValues: { ':userId': current.userId },
          },
        },
        { Delete: { TableName: table, Key: profileKey(current.userId) } },
        { Delete: { TableName: table, Key: activityKey(current.userId) } },
        ...(delta === 0 ? [] : [adminCountItem(table, current.tenantId, -1)]),
      ],
      current,
      delta,
    );
  }

  /**
   * Runs a user transaction whose admin count item (if any) is last. A failed count decrement is
   * `last_admin`; any other lost condition or a clash with another transaction is `stale` (the use
   * case reads again and decides again).
   */
  private async write(items: TransactItem[], current: UserRecord, delta: number): Promise<UserWriteOutcome> {
    if (delta !== 0) await this.ensureAdminCount(current.tenantId);
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'written';
    } catch (error) {
      const cancelled = cancelledAt(error);
      if (!cancelled) throw error;
      if (delta < 0 && cancelled.failedIndex === items.length - 1) return 'last_admin';
      if (cancelled.failedIndex !== undefined || cancelled.contended) return 'stale';
      throw error;
    }
  }
}

let shared: UserStore | undefined;

/** The store for `TABLE_NAME`, one per container. */
export function userStore(tableName: string): UserStore {
  if (shared?.tableName !== tableName) shared = new UserStore(tableName);
  return shared;
}
