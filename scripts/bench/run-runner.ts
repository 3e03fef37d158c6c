// Serves one service through our runner (HttpGateway + FunctionHost), configured as the local cloud
// configures them, in a process of its own so the bench can measure its RSS (worker threads share it).
// Usage: node scripts/run-ts.mjs scripts/bench/run-runner.ts [--service-dir DIR] [--port N] [--build-dir DIR] [--no-package] [--quiet]
// Prints one JSON line `{"ready":true,"url":...,"pid":...}` when it serves; stops on SIGINT/SIGTERM.
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageService, readPackagedTemplate } from '../../libs/local-cloud/src/packaging';
import { Registry } from '../../libs/local-cloud/src/provision/registry';
import { FunctionHost, HttpGateway, routesFromServices } from '../../libs/local-cloud/src/runner';
import { createLineLog } from '../../libs/local-cloud/src/line-log';
import { LOCAL_ACCOUNT_ID } from '../../libs/local-cloud/src/types';
import type { PackagedService } from '../../libs/local-cloud/src/types';

const STAGE = 'local';
const REGION = 'us-east-1';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'service-dir': { type: 'string', default: join(__dirname, 'fixtures', 'trivial-service') },
      port: { type: 'string', default: '0' },
      'build-dir': { type: 'string' },
      'no-package': { type: 'boolean', default: false },
      // Leaves out the gateway's per-request log line (the local cloud writes one), to see its cost.
      quiet: { type: 'boolean', default: false },
      // Warm workers per group of functions (the local cloud's default is the function host's).
      'max-concurrency': { type: 'string' },
    },
  });
  const dir = resolve(values['service-dir'] ?? '.');
  if (!values['no-package']) await packageService(dir, STAGE);
  const template = readPackagedTemplate(dir);
  const name = basename(dir);
  const service: PackagedService = { name, dir, stage: STAGE, template };

  // The service declares no resources, so the registry only resolves pseudo-parameters.
  const registry = new Registry({ region: REGION, accountId: LOCAL_ACCOUNT_ID });
  registry.addStack(name, { stackName: `${name}-${STAGE}`, template });

  const host = new FunctionHost({
    services: [service],
    registry,
    region: REGION,
    buildDir: values['build-dir'] ? resolve(values['build-dir']) : undefined,
    ...(values['max-concurrency'] ? { maxConcurrency: Number(values['max-concurrency']) } : {}),
  });
  const gateway = new HttpGateway({
    invoker: host,
    routes: routesFromServices([service], registry),
    port: Number(values.port),
    // As the local cloud does: one log line per request.
    log: values.quiet ? undefined : createLineLog('[gateway] '),
  });
  const { url } = await gateway.start();

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 5_000).unref();
    void Promise.allSettled([gateway.stop(), host.stop()]).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(
    JSON.stringify({ ready: true, url, pid: process.pid, routes: gateway.routes().map((r) => r.routeKey) }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
