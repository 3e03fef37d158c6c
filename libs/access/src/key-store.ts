/**
 * The API key projection in a service's own DynamoDB table (`pk KEY#<keyId>`, `sk KEY`), and the
 * optimistic read-apply-write every projection of this kind uses.
 *
 * Writes are conditioned on the revision read (`attribute_not_exists(#pk)` for a first write): a
 * concurrent writer makes the condition fail and the change is re-applied on what it wrote, so
 * redeliveries and any delivery order converge.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '@switchyard/runtime';
import type { ApiKeyEvent, ApiKeyProjection, ProjectionResult } from './api-keys';
import { applyApiKeyEvent } from './api-keys';

export interface ItemKey {
  pk: string;
  sk: string;
}

export const keyItemKey = (keyId: string): ItemKey => ({ pk: `KEY#${keyId}`, sk: 'KEY' });

/** Attempts before giving up on a contended record (the message is then retried by its queue). */
const MAX_ATTEMPTS = 5;

function stripKeys<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

/** A record of `T` at `key`, read consistently, without its key attributes. */
export async function getRecord<T>(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: ItemKey,
): Promise<T | undefined> {
  const result = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return stripKeys<T>(result.Item);
}

/** Read, apply, conditional write; re-read and re-apply when someone else wrote in between. */
export async function convergeRecord<
  R extends { outcome: 'applied' | 'ignored'; record: T },
  T extends { revision: number },
>(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: ItemKey,
  apply: (current: T | undefined) => R,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    const current = await getRecord<T>(client, tableName, key);
    const result = apply(current);
    if (result.outcome === 'ignored') return result;
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...result.record, ...key },
          ...(current
            ? {
                ConditionExpression: '#revision = :revision',
                ExpressionAttributeNames: { '#revision': 'revision' },
                ExpressionAttributeValues: { ':revision': current.revision },
              }
            : {
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': 'pk' },
              }),
        }),
      );
      return result;
    } catch (error) {
      if (!isConditionFailure(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

export interface ApiKeyStore {
  getApiKey(keyId: string): Promise<ApiKeyProjection | undefined>;
  applyApiKeyEvent(event: ApiKeyEvent): Promise<ProjectionResult>;
}

/** The key projection in `tableName()` (a function, so configuration is read when first used). */
export function createApiKeyStore(
  client: () => DynamoDBDocumentClient,
  tableName: () => string,
): ApiKeyStore {
  return {
    getApiKey: (keyId) => getRecord<ApiKeyProjection>(client(), tableName(), keyItemKey(keyId)),
    applyApiKeyEvent: (event) =>
      convergeRecord<ProjectionResult, ApiKeyProjection>(
        client(),
        tableName(),
        keyItemKey(event.message.keyId),
        (current) => applyApiKeyEvent(current, event),
      ),
  };
}
