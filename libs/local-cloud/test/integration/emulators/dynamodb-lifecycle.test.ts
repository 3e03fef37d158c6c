import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { isAlive, startHarness, waitFor } from '../provision/spawn-harness';
import type { Harness } from '../provision/spawn-harness';
import { itService } from '../provision/template';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** PIDs of DynamoDB Local processes (other suites may run their own: compare by PID). */
function dynamoDbPids(): number[] {
  try {
    return execFileSync('pgrep', ['-f', 'DynamoDBLocal'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

describe('DynamoDB Local lifecycle', () => {
  const persistDir = mkdtempSync(join(tmpdir(), 'switchyard-ddb-'));
  let harness: Harness | undefined;

  afterAll(async () => {
    await harness?.stop();
    rmSync(persistDir, { recursive: true, force: true });
  });

  it('dies with its parent even when the parent is SIGKILLed, and persisted tables survive a second provisioning', async () => {
    const before = new Set(dynamoDbPids());
    const first = await startHarness({ PERSIST_DIR: persistDir });
    const javaPid = first.pids.dynamodb;
    expect(dynamoDbPids()).toContain(javaPid);
    expect(before.has(javaPid)).toBe(false);
    await first.call('/provision', [itService(__dirname)]);
    const client = new DynamoDBClient({
      endpoint: first.endpoints.dynamodb,
      region: 'us-east-1',
      credentials,
    });
    await client.send(
      new PutItemCommand({ TableName: 'it-local-events', Item: { pk: { S: 'a' }, sk: { S: '1' } } }),
    );
    client.destroy();

    first.child.kill('SIGKILL');
    await waitFor(() => !isAlive(javaPid), 10000);
    expect(dynamoDbPids()).not.toContain(javaPid);

    harness = await startHarness({ PERSIST_DIR: persistDir });
    await harness.call('/provision', [itService(__dirname)]);
    const again = new DynamoDBClient({
      endpoint: harness.endpoints.dynamodb,
      region: 'us-east-1',
      credentials,
    });
    const { Item } = await again.send(
      new GetItemCommand({ TableName: 'it-local-events', Key: { pk: { S: 'a' }, sk: { S: '1' } } }),
    );
    again.destroy();
    expect(Item).toEqual({ pk: { S: 'a' }, sk: { S: '1' } });

    const secondPid = harness.pids.dynamodb;
    await harness.stop();
    harness = undefined;
    expect(isAlive(secondPid)).toBe(false);
    expect(dynamoDbPids().filter((pid) => !before.has(pid))).toEqual([]);
  });
});
