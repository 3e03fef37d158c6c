/**
 * Profiles in identity's table (`USER#<userId>` / `PROFILE`), next to the user (`USER#<userId>` /
 * `USER`), and who the caller of a people-authorised route is.
 *
 * A user who never saved a profile has the domain's empty one. A save is one transaction: the
 * profile, conditioned on the version that was read (optimistic concurrency), plus ProfileUpdated in
 * the outbox when a shared field changed, so the event exists if and only if the change committed.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ProfileUpdated } from '@switchyard/contracts';
import {
  conditionalWrite,
  dynamoDbDocumentClient,
  isCancelledByCondition,
  outboxPut,
  unauthorized,
} from '@switchyard/runtime';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { PersonActivity, Profile, Viewer } from '../domain/profiles';
import { emptyProfile, sharedProfileChange } from '../domain/profiles';
import type { UserRecord } from '../domain/users';
import { planDisplayNameChange, userFromItem } from '../domain/users';
import { activityKey, profileKey, userUpdatedPut, userUpdateItem } from './user-store';
import { personFromClaims } from './person-tokens';

export { activityKey, profileKey };
export const userKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'USER' });

export interface LoadedProfile {
  profile: Profile;
  /** The profile's user, as read with it (a display name change is theirs too). */
  user: UserRecord;
  /** False for the default profile of a user who never saved one. */
  stored: boolean;
}

/** The save lost a race with another writer: reload and apply again. */
export class ProfileConflictError extends Error {
  constructor() {
    super('profile changed while it was being updated');
    this.name = 'ProfileConflictError';
  }
}

function toProfile(item: Record<string, unknown>): Profile {
  return {
    userId: String(item.userId),
    tenantId: String(item.tenantId),
    ...(typeof item.displayName === 'string' ? { displayName: item.displayName } : {}),
    ...(typeof item.bio === 'string' ? { bio: item.bio } : {}),
    ...(typeof item.photoUrl === 'string' ? { photoUrl: item.photoUrl } : {}),
    isProfilePrivate: item.isProfilePrivate === true,
    updatedAt: String(item.updatedAt),
  };
}

export class ProfileStore {
  constructor(
    private readonly tableName: string,
    private readonly ddb: DynamoDBDocumentClient = dynamoDbDocumentClient(),
  ) {}

  async getUser(userId: string, options: { consistent?: boolean } = {}): Promise<UserRecord | undefined> {
    const { Item } = await this.ddb.send(
      new GetCommand({
        TableName: this.tableName,
        Key: userKey(userId),
        ...(options.consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return userFromItem(Item);
  }

  /** activity's totals for the person (`USER#<userId>` / `ACTIVITY`), if it sent any. */
  async activityOf(userId: string): Promise<PersonActivity | undefined> {
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.tableName, Key: activityKey(userId) }),
    );
    if (!Item) return undefined;
    return {
      tenantId: String(Item.tenantId),
      commentCount: Number(Item.commentCount ?? 0),
      ...(typeof Item.lastActiveAt === 'string' ? { lastActiveAt: Item.lastActiveAt } : {}),
      countersVersion: Number(Item.countersVersion ?? 0),
    };
  }

  /**
   * Keeps `activity` unless the same or a higher `countersVersion` is held already (a redelivery, or
   * an older message arriving late); false then. The condition makes it one atomic decision, also
   * when two consumers race.
   */
  async saveActivity(userId: string, activity: PersonActivity): Promise<boolean> {
    return conditionalWrite(
      this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: activityKey(userId),
          UpdateExpression: activity.lastActiveAt
            ? 'SET #tenantId = :tenantId, #count = :count, #version = :version, #at = :at'
            : 'SET #tenantId = :tenantId, #count = :count, #version = :version REMOVE #at',
          ConditionExpression: 'attribute_not_exists(#version) OR #version < :version',
          ExpressionAttributeNames: {
            '#tenantId': 'tenantId',
            '#count': 'commentCount',
            '#version': 'countersVersion',
            '#at': 'lastActiveAt',
          },
          ExpressionAttributeValues: {
            ':tenantId': activity.tenantId,
            ':count': activity.commentCount,
            ':version': activity.countersVersion,
            ...(activity.lastActiveAt ? { ':at': activity.lastActiveAt } : {}),
          },
        }),
      ),
    );
  }

  /** The profile, the default one for a user without a saved profile, or undefined for no such user. */
  async load(userId: string, options: { consistent?: boolean } = {}): Promise<LoadedProfile | undefined> {
    const [profile, user] = await Promise.all([
      this.ddb.send(
        new GetCommand({
          TableName: this.tableName,
          Key: profileKey(userId),
          ConsistentRead: options.consistent ?? false,
        }),
      ),
      this.getUser(userId, options),
    ]);
    // A profile outlives nothing: without its user (deleted), the profile is gone too.
    if (!user) return undefined;
    if (profile.Item) return { profile: toProfile(profile.Item), user, stored: true };
    return { profile: emptyProfile(user), user, stored: false };
  }

  /**
   * Writes `after` if the stored profile is still `before`; throws ProfileConflictError otherwise.
   * A display name change is also the user's: their item (conditioned on the revision read) and
   * UserUpdated go in the same transaction, so projections of users need only the User events.
   */
  async save(before: LoadedProfile, after: Profile): Promise<{ published: boolean }> {
    const change = sharedProfileChange(before.profile, after);
    const userChange = change
      ? planDisplayNameChange(before.user, after.displayName, new Date(after.updatedAt))
      : ({ outcome: 'unchanged' } as const);
    const item = { ...profileKey(after.userId), ...after };
    try {
      await this.ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: item,
                ...(before.stored
                  ? {
                      ConditionExpression: '#updatedAt = :previous',
                      ExpressionAttributeNames: { '#updatedAt': 'updatedAt' },
                      ExpressionAttributeValues: { ':previous': before.profile.updatedAt },
                    }
                  : {
                      ConditionExpression: 'attribute_not_exists(#pk)',
                      ExpressionAttributeNames: { '#pk': 'pk' },
                    }),
              },
            },
            ...(change
              ? [
                  outboxPut(this.tableName, ProfileUpdated, {
                    tenantId: after.tenantId,
                    userId: after.userId,
                    changedFields: change.changedFields,
                    old: change.old,
                    new: change.new,
                    updatedAt: after.updatedAt,
                  }),
                ]
              : []),
            ...(userChange.outcome === 'changed'
              ? [
                  userUpdateItem(this.tableName, before.user, userChange.next),
                  userUpdatedPut(this.tableName, before.user, userChange, after.userId),
                ]
              : [
                  {
                    ConditionCheck: {
                      TableName: this.tableName,
                      Key: userKey(after.userId),
                      ConditionExpression: 'attribute_exists(#pk)',
                      ExpressionAttributeNames: { '#pk': 'pk' },
                    },
                  },
                ]),
          ],
        }),
      );
    } catch (error) {
      if (isCancelledByCondition(error)) throw new ProfileConflictError();
      throw error;
    }
    return { published: change !== null };
  }
}

/**
 * The caller of a route behind the `people` JWT authorizer, from the claims API Gateway verified.
 * Every token carries `custom:tenantId` (on Cognito stages through the pre-token-generation
 * trigger); a token without it (issued before the trigger existed) is resolved from the caller's
 * user record.
 */
export async function callerFromEvent(event: APIGatewayProxyEventV2, store: ProfileStore): Promise<Viewer> {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
    .authorizer?.jwt?.claims;
  if (!claims) throw unauthorized();
  let person;
  try {
    person = personFromClaims(claims);
  } catch {
    throw unauthorized();
  }
  const tenantId = person.tenantId ?? (await store.getUser(person.userId))?.tenantId;
  if (!tenantId) throw unauthorized('Unknown user');
  return { userId: person.userId, tenantId, groups: person.groups };
}
