// `npm start`: the whole platform on this machine. Also the program startLocalCloud() runs as a
// child process for tests (it then reports readiness over IPC instead of printing the banner).
import { parseArgs } from 'node:util';
import { join, relative, resolve } from 'node:path';
import { formatAlarmStatus, formatBanner } from './banner';
import type * as CloudModule from './cloud';
import type { RunningCloud } from './cloud';
import { startCloudDynamoDb } from './cloud-dynamodb';
import { writeDevInfo } from './dev-info';
import { createLineLog } from './line-log';
import { repoRoot } from './repo-root';

const USAGE = `Usage: npm start [-- options]

  --port N          API gateway port (default: SWITCHYARD_PORT or 3000; 0 = any free port)
  --persist         keep DynamoDB data under .switchyard/data across restarts (or SWITCHYARD_PERSIST=1)
  --stage NAME      stage to package and run (default: local)
  --service NAME    run only this service from serverless-compose.yml (repeatable)
  --service-dir DIR run this service folder instead of the compose file's (repeatable)
  --state-dir DIR   where dev.json, bundles and data go (default: .switchyard)

  SWITCHYARD_METER_REQUESTS=1 counts every AWS request functions, bus and pollers make (the cost
  bench reads the counts from the local Lambda API's /_switchyard/health)
  -h, --help        this text`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      persist: { type: 'boolean', default: false },
      stage: { type: 'string', default: 'local' },
      service: { type: 'string', multiple: true },
      'service-dir': { type: 'string', multiple: true },
      'state-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const portText = values.port ?? process.env.SWITCHYARD_PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`switchyard: port "${portText}" is not a port number\n\n${USAGE}`);
    process.exit(2);
  }
  const root = repoRoot();
  return {
    root,
    port,
    stage: values.stage ?? 'local',
    persist: values.persist || process.env.SWITCHYARD_PERSIST === '1',
    services: values.service,
    serviceDirs: values['service-dir']?.map((dir) => resolve(dir)),
    stateDir: resolve(values['state-dir'] ?? join(root, '.switchyard')),
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const ipc = typeof process.send === 'function';
  const log = createLineLog('[local-cloud] ');
  const devJson = join(options.stateDir, 'dev.json');

  let cloud: RunningCloud | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: stopping`);
    // Ctrl-C must never leave the terminal waiting: exit within 10 s whatever happens.
    setTimeout(() => {
      log('stop took over 9 s; exiting anyway');
      process.exit(1);
    }, 9_000).unref();
    void (cloud?.stop() ?? Promise.resolve()).then(() => {
      log('stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // Tests start us with an IPC channel; if the test process dies, so do we.
  if (ipc) process.on('disconnect', () => shutdown('parent gone'));

  log(`starting (stage ${options.stage}${options.persist ? ', persistent data' : ', in-memory data'})`);
  // The JVM's start (the slowest emulator's) overlaps Node's loading the rest of the cloud.
  const dynamodb = startCloudDynamoDb({
    repoRoot: options.root,
    stateDir: options.stateDir,
    persist: options.persist,
  });
  // Its failure is handled where the cloud awaits it; until then it must not count as unhandled.
  dynamodb.catch(() => undefined);
  try {
    // Loaded only now, after the JVM was started above.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runLocalCloud } = require('./cloud') as typeof CloudModule;
    cloud = await runLocalCloud({
      dynamodb,
      repoRoot: options.root,
      stateDir: options.stateDir,
      port: options.port,
      stage: options.stage,
      region: process.env.AWS_REGION ?? 'us-east-1',
      persist: options.persist,
      services: options.services,
      serviceDirs: options.serviceDirs,
      functionConcurrency: Number(process.env.SWITCHYARD_FUNCTION_CONCURRENCY) || undefined,
      meterRequests: process.env.SWITCHYARD_METER_REQUESTS === '1',
      log,
      onAlarmChange: (alarms) => {
        if (cloud) writeDevInfo(devJson, cloud.info);
        log(formatAlarmStatus(alarms));
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.flush();
    console.error(`switchyard: the local cloud could not start: ${message}`);
    if (ipc) process.send?.({ type: 'failed', error: message });
    process.exit(1);
  }
  if (stopping) return;
  writeDevInfo(devJson, cloud.info);
  if (ipc) process.send?.({ type: 'ready', info: cloud.info });
  else {
    log.flush();
    console.log(`\n${formatBanner(cloud.info, relative(process.cwd(), devJson) || devJson)}\n`);
  }
}

void main();
