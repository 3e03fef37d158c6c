/**
 * ingest's projections in the state table (item layout in ./README.md):
 *
 *  - API keys (`pk KEY#<keyId>`, `sk KEY`), from identity's ApiKeyCreated/Updated/Revoked;
 *  - entitlements (`pk ENTITLEMENT#<tenantId>`, `sk ENTITLEMENT`), from billing's SubscriptionChanged.
 *
 * Writes are optimistic: read the record, apply the domain's newer-wins rules, write conditioned on
 * the revision read (`attribute_not_exists(#pk)` for a first write). A concurrent writer makes the
 * condition fail and the change is re-applied on what it wrote, so any delivery order converges.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDbDocumentClient } from '@switchyard/runtime';
import type { ApiKeyEvent, ApiKeyProjection, ProjectionResult } from '../domain/api-key-projection';
import { applyApiKeyEvent } from '../domain/api-key-projection';
import type { Entitlement, EntitlementResult } from '../domain/entitlements';
import { applySubscriptionChanged } from '../domain/entitlements';
import type { SubscriptionChanged } from '@switchyard/contracts';
import { config } from '../config';

export const keyItemKey = (keyId: string) => ({ pk: `KEY#${keyId}`, sk: 'KEY' });
export const entitlementItemKey = (tenantId: string) => ({
  pk: `ENTITLEMENT#${tenantId}`,
  sk: 'ENTITLEMENT',
});

/** Attempts before giving up on a contended record (the message is then retried by SQS). */
const MAX_ATTEMPTS = 5;

export interface ProjectionStore {
  getApiKey(keyId: string): Promise<ApiKeyProjection | undefined>;
  getEntitlement(tenantId: string): Promise<Entitlement | undefined>;
  applyApiKeyEvent(event: ApiKeyEvent): Promise<ProjectionResult>;
  applySubscriptionChanged(message: SubscriptionChanged): Promise<EntitlementResult>;
}

function stripKeys<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

export function createProjectionStore(
  client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
  tableName: () => string = () => config().STATE_TABLE,
): ProjectionStore {
  async function get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    const result = await client.send(
      new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }),
    );
    return stripKeys<T>(result.Item);
  }

  /** Read, apply, conditional write; re-read and re-apply when someone else wrote in between. */
  async function converge<
    R extends { outcome: 'applied' | 'ignored'; record: T },
    T extends { revision: number },
  >(key: { pk: string; sk: string }, apply: (current: T | undefined) => R): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const current = await get<T>(key);
      const result = apply(current);
      if (result.outcome === 'ignored') return result;
      try {
        await client.send(
          new PutCommand({
            TableName: tableName(),
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

  return {
    getApiKey: (keyId) => get<ApiKeyProjection>(keyItemKey(keyId)),
    getEntitlement: (tenantId) => get<Entitlement>(entitlementItemKey(tenantId)),
    applyApiKeyEvent: (event) =>
      converge<ProjectionResult, ApiKeyProjection>(keyItemKey(event.message.keyId), (current) =>
        applyApiKeyEvent(current, event),
      ),
    applySubscriptionChanged: (message) =>
      converge<EntitlementResult, Entitlement>(entitlementItemKey(message.tenantId), (current) =>
        applySubscriptionChanged(current, message),
      ),
  };
}

let store: ProjectionStore | undefined;
export function projectionStore(): ProjectionStore {
  store ??= createProjectionStore();
  return store;
}

/** A failed condition, from a single write or (`TransactionCanceledException`) a transaction. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
