/**
 * notifications' own copy of identity's API keys (`KEY#<keyId>` / `KEY` in the notifications
 * table), kept by the shared store of @switchyard/access (newer-wins, revoked is final); ./caller.ts
 * reads it.
 */
import type { ApiKeyStore } from '@switchyard/access';
import { createApiKeyStore } from '@switchyard/access';
import { dynamoDbDocumentClient } from '@switchyard/runtime';
import { config } from '../config';

let store: ApiKeyStore | undefined;
export function keyProjection(): ApiKeyStore {
  store ??= createApiKeyStore(dynamoDbDocumentClient, () => config().NOTIFICATIONS_TABLE);
  return store;
}
