/**
 * ingest's projections in the state table (item layout in ./README.md):
 *
 *  - API keys (`pk KEY#<keyId>`, `sk KEY`), from identity's ApiKeyCreated/Updated/Revoked, kept by
 *    the shared key store of @switchyard/access;
 *  - entitlements (`pk ENTITLEMENT#<tenantId>`, `sk ENTITLEMENT`), from billing's SubscriptionChanged.
 *
 * Both are written optimistically (read, apply the domain's newer-wins rules, write conditioned on
 * the revision read), so redeliveries and any delivery order converge.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyStore } from '@switchyard/access';
import { convergeRecord, createApiKeyStore, getRecord } from '@switchyard/access';
import type { SubscriptionChanged } from '@switchyard/contracts';
import { dynamoDbDocumentClient } from '@switchyard/runtime';
import type { Entitlement, EntitlementResult } from '../domain/entitlements';
import { applySubscriptionChanged } from '../domain/entitlements';
import { config } from '../config';

export { keyItemKey } from '@switchyard/access';

export const entitlementItemKey = (tenantId: string) => ({
  pk: `ENTITLEMENT#${tenantId}`,
  sk: 'ENTITLEMENT',
});

export interface ProjectionStore extends ApiKeyStore {
  getEntitlement(tenantId: string): Promise<Entitlement | undefined>;
  applySubscriptionChanged(message: SubscriptionChanged): Promise<EntitlementResult>;
}

export function createProjectionStore(
  client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
  tableName: () => string = () => config().STATE_TABLE,
): ProjectionStore {
  return {
    ...createApiKeyStore(() => client, tableName),
    getEntitlement: (tenantId) => getRecord<Entitlement>(client, tableName(), entitlementItemKey(tenantId)),
    applySubscriptionChanged: (message) =>
      convergeRecord<EntitlementResult, Entitlement>(
        client,
        tableName(),
        entitlementItemKey(message.tenantId),
        (current) => applySubscriptionChanged(current, message),
      ),
  };
}

let store: ProjectionStore | undefined;
export function projectionStore(): ProjectionStore {
  store ??= createProjectionStore();
  return store;
}
