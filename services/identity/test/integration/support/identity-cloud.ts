// identity on a real local cloud, as every integration suite here starts it: the cloud, a tap on
// the bus (what the outbox published), a document client on identity's table (for what no API
// writes yet, like users outside tenant creation), and the two tenants the key suites work with.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, startLocalCloud, tapBus } from '@switchyard/local-cloud';
import type { BusEnvelope, BusTap, RunningLocalCloud } from '@switchyard/local-cloud';
import { createTenant } from './identity-api';

/** identity's table on the local stage. */
export const IDENTITY_TABLE = 'identity-local';

export interface IdentityCloud {
  cloud: RunningLocalCloud;
  bus: BusTap;
  table: DynamoDBDocumentClient;
}

export async function startIdentityCloud(): Promise<IdentityCloud> {
  const cloud = await startLocalCloud({ services: ['identity'] });
  const table = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: cloud.endpoints.dynamodb,
      region: cloud.region,
      credentials: LOCAL_CREDENTIALS,
    }),
  );
  try {
    return { cloud, table, bus: await tapBus(cloud, 'switchyard.identity') };
  } catch (error) {
    await stopIdentityCloud({ cloud, table });
    throw error;
  }
}

/** Stops what `startIdentityCloud` started (also when it failed half-way: undefined parts are skipped). */
export async function stopIdentityCloud(started: Partial<IdentityCloud> | undefined): Promise<void> {
  started?.bus?.close();
  started?.table?.destroy();
  await started?.cloud?.stop();
}

export type TestTenant = Awaited<ReturnType<typeof createTenant>>;

export type TwoTenantCloud = IdentityCloud & { tenantA: TestTenant; tenantB: TestTenant };

/** identity with two tenants, A and B, created through the operator API. */
export async function startWithTwoTenants(): Promise<TwoTenantCloud> {
  const started = await startIdentityCloud();
  try {
    return {
      ...started,
      tenantA: await createTenant(started.cloud, 'Tenant A'),
      tenantB: await createTenant(started.cloud, 'Tenant B'),
    };
  } catch (error) {
    await stopIdentityCloud(started);
    throw error;
  }
}

/**
 * The `detailType` events about `keyId` the bus carried before the ApiKeyCreated of `markerKeyId`, a
 * key created after them: once the marker is through, an event published before it would be too
 * (one outbox, one stream), so a count taken then is final.
 */
export async function keyEventsBefore(
  bus: BusTap,
  markerKeyId: string,
  detailType: string,
  keyId: string,
): Promise<BusEnvelope[]> {
  const seen = await bus.take((events) =>
    events.some((e) => e['detail-type'] === 'ApiKeyCreated' && e.detail.keyId === markerKeyId),
  );
  return seen.filter((e) => e['detail-type'] === detailType && e.detail.keyId === keyId);
}
