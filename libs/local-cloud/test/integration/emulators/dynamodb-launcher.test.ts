/**
 * DynamoDB Local's launcher runs compiled when the local cloud gives it a cache folder (the source
 * launcher would compile it on every start), from a class-data archive once a first JVM wrote one as
 * it exited, and from source when nothing can be built there.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDb } from '../../../src/emulators';
import type { RunningDynamoDb } from '../../../src/emulators';

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
const option = (pid: number, name: string) =>
  commandLine(pid)
    .find((arg) => arg.startsWith(`${name}=`))
    ?.slice(name.length + 1);

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

/** The one launch folder in `cacheDir` and what it holds. */
function launchFolder(cacheDir: string): { dir: string; files: string[] } {
  const [folder, ...others] = readdirSync(cacheDir).filter((name) => name.startsWith('dynamodb-launcher-'));
  expect(others).toEqual([]);
  const dir = join(cacheDir, folder!);
  return { dir, files: readdirSync(dir).sort() };
}

describe('DynamoDB Local launcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-launcher-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is built once, writes a class-data archive as its first JVM exits, and starts from it after', async () => {
    const cacheDir = join(dir, 'cache');
    const first = await startDynamoDb({ cacheDir });
    let classPathFile: string;
    let archiveOption: string | undefined;
    try {
      const { dir: folder, files } = launchFolder(cacheDir);
      expect(files).toEqual(['DynamoDBLocal.jar', 'class-path.json', 'localhost-dynamodb.jar']);
      classPathFile = join(folder, 'class-path.json');
      const classPath = JSON.parse(readFileSync(classPathFile, 'utf8')) as string[];
      // Jars only, the launcher's own first: a folder on the class path turns class-data sharing off.
      expect(classPath.every((entry) => entry.endsWith('.jar'))).toBe(true);
      expect(classPath.length).toBeGreaterThan(50);
      const args = commandLine(first.pid);
      expect(args).toContain('LocalhostDynamoDb');
      expect(args.some((arg) => arg.endsWith('.java'))).toBe(false);
      archiveOption = option(first.pid, '-XX:ArchiveClassesAtExit');
      expect(archiveOption).toMatch(/classes-\w+\.jsa\.\d+\.partial$/);
      expect(await answers(first)).toBe(true);
    } finally {
      await first.stop();
    }
    const archive = archiveOption!.replace(/\.\d+\.partial$/, '');
    expect(statSync(archive).size).toBeGreaterThan(1_000_000);
    expect(launchFolder(cacheDir).files.some((name) => name.endsWith('.partial'))).toBe(false);

    const builtAt = statSync(classPathFile).mtimeMs;
    const second = await startDynamoDb({ cacheDir });
    try {
      expect(option(second.pid, '-XX:SharedArchiveFile')).toBe(archive);
      expect(option(second.pid, '-XX:ArchiveClassesAtExit')).toBeUndefined();
      expect(statSync(classPathFile).mtimeMs).toBe(builtAt);
      expect(await answers(second)).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('keeps no archive from a JVM killed while it could be writing one', async () => {
    const cacheDir = join(dir, 'killed');
    const dynamodb = await startDynamoDb({ cacheDir });
    const partial = option(dynamodb.pid, '-XX:ArchiveClassesAtExit');
    expect(partial).toBeDefined();
    process.kill(dynamodb.pid, 'SIGKILL');
    await dynamodb.stop();
    expect(launchFolder(cacheDir).files.filter((name) => name.includes('.jsa'))).toEqual([]);

    // The next start writes one again.
    const next = await startDynamoDb({ cacheDir });
    try {
      expect(option(next.pid, '-XX:ArchiveClassesAtExit')).toMatch(/\.partial$/);
      expect(await answers(next)).toBe(true);
    } finally {
      await next.stop();
    }
  });

  it('runs from source when the cache folder cannot be written', async () => {
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, 'in the way');
    const dynamodb = await startDynamoDb({ cacheDir: notAFolder });
    try {
      expect(commandLine(dynamodb.pid).some((arg) => arg.endsWith('LocalhostDynamoDb.java'))).toBe(true);
      expect(option(dynamodb.pid, '-XX:SharedArchiveFile')).toBeUndefined();
      expect(await answers(dynamodb)).toBe(true);
    } finally {
      await dynamodb.stop();
    }
  });
});
