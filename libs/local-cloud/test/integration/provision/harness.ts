// Child process for integration tests: jest (CommonJS) cannot load fauxqs (ESM-only), so the local
// cloud's emulators, bus and provisioning run here, and the test talks to them over HTTP.
// Protocol: prints one JSON line {"ready": {...}} on stdout; a small control server answers
// GET /deliveries, GET /invocations, POST /provision (body: PackagedService[]), POST /trigger?rule=.
import { createServer } from 'node:http';
import { emulatorEndpoints, startDynamoDb, startFauxqs, startSes } from '../../../src/emulators';
import { LocalEventBridge, startEventBridgeServer } from '../../../src/eventbridge';
import type { DeliveryRecord } from '../../../src/eventbridge';
import { provisionServices } from '../../../src/provision';
import type { ProvisionedRegistry } from '../../../src/provision';
import type { Invoker, PackagedService } from '../../../src/types';

async function main(): Promise<void> {
  const [dynamodb, fauxqs, ses] = await Promise.all([
    startDynamoDb({ persistDir: process.env.PERSIST_DIR || undefined }),
    startFauxqs(),
    startSes(),
  ]);
  const invocations: { target: string; event: unknown }[] = [];
  // Fails for functions whose name contains "boom", to exercise retries and DLQs.
  const invoker: Invoker = {
    invoke: async (target, event) => {
      invocations.push({ target, event });
      return target.includes('boom')
        ? { ok: false, error: { errorType: 'Error', errorMessage: 'boom' } }
        : { ok: true, result: null };
    },
  };
  const bus = new LocalEventBridge({
    endpoints: { sqs: fauxqs.endpoint, sns: fauxqs.endpoint },
    retryDelayMs: 10,
    log: () => {},
  });
  const events = await startEventBridgeServer(bus);
  bus.start();
  const deliveries: DeliveryRecord[] = [];
  bus.onDelivered((record) => deliveries.push(record));
  const endpoints = emulatorEndpoints({ dynamodb, fauxqs, ses, events });
  let registry: ProvisionedRegistry | undefined;

  const control = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const url = new URL(request.url ?? '/', 'http://x');
        try {
          let result: unknown;
          if (url.pathname === '/deliveries') {
            await bus.idle();
            result = deliveries;
          } else if (url.pathname === '/invocations') result = invocations;
          else if (url.pathname === '/provision') {
            const services = JSON.parse(Buffer.concat(chunks).toString()) as PackagedService[];
            const logs: string[] = [];
            registry = await provisionServices(services, {
              endpoints,
              bus,
              invoker,
              log: (m) => logs.push(m),
            });
            result = {
              resources: registry.list(),
              alarms: registry.alarms(),
              skipped: registry.skipped(),
              logs,
            };
          } else if (url.pathname === '/resolve') {
            const { service, value } = JSON.parse(Buffer.concat(chunks).toString()) as {
              service: string;
              value: unknown;
            };
            result = { value: registry?.resolve(service, value) };
          } else if (url.pathname === '/trigger') {
            await bus.triggerRule(url.searchParams.get('rule') ?? '');
            result = {};
          } else throw new Error(`unknown path ${url.pathname}`);
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
        } catch (error) {
          response
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: String(error) }));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const address = control.address();
  const controlPort = typeof address === 'object' && address ? address.port : 0;

  const stop = async (): Promise<void> => {
    control.close();
    await bus.stop();
    await Promise.all([events.stop(), fauxqs.stop(), ses.stop(), dynamodb.stop()]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  process.stdout.write(
    `${JSON.stringify({
      ready: {
        endpoints,
        control: `http://127.0.0.1:${controlPort}`,
        mailboxUrl: ses.mailboxUrl,
        pids: { node: process.pid, dynamodb: dynamodb.pid },
        ports: {
          dynamodb: dynamodb.port,
          fauxqs: fauxqs.port,
          ses: ses.port,
          events: events.port,
          control: controlPort,
        },
      },
    })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
