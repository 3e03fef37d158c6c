/**
 * DynamoDB Local's launcher runs compiled when the local cloud gives it a cache folder (the source
 * launcher would compile it on every start), and from source when it cannot be compiled there.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDb } from '../../../src/emulators';
import type { RunningDynamoDb } from '../../../src/emulators';

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

async function answers(dynamodb: RunningDynamoDb): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const result = await client.send(new ListTablesCommand({}));
    return Array.isArray(result.TableNames);
  } finally {
    client.destroy();
  }
}

describe('DynamoDB Local launcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-launcher-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is compiled once into the cache folder and then run as a class', async () => {
    const cacheDir = join(dir, 'cache');
    const first = await startDynamoDb({ cacheDir });
    let classFile: string;
    try {
      const [folder, ...others] = readdirSync(cacheDir).filter((name) =>
        name.startsWith('dynamodb-launcher-'),
      );
      expect(others).toEqual([]);
      classFile = join(cacheDir, folder!, 'LocalhostDynamoDb.class');
      expect(statSync(classFile).isFile()).toBe(true);
      const args = commandLine(first.pid);
      expect(args).toContain('LocalhostDynamoDb');
      expect(args.some((arg) => arg.endsWith('.java'))).toBe(false);
      expect(await answers(first)).toBe(true);
    } finally {
      await first.stop();
    }
    const compiledAt = statSync(classFile).mtimeMs;
    const second = await startDynamoDb({ cacheDir });
    try {
      expect(statSync(classFile).mtimeMs).toBe(compiledAt);
      expect(await answers(second)).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('runs from source when the cache folder cannot be written', async () => {
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, 'in the way');
    const dynamodb = await startDynamoDb({ cacheDir: notAFolder });
    try {
      expect(commandLine(dynamodb.pid).some((arg) => arg.endsWith('LocalhostDynamoDb.java'))).toBe(true);
      expect(await answers(dynamodb)).toBe(true);
    } finally {
      await dynamodb.stop();
    }
  });
});
