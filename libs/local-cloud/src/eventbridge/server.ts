// The AWS JSON 1.1 protocol (X-Amz-Target: AWSEvents.<Op>) over LocalEventBridge, so the unchanged
// @aws-sdk/client-eventbridge works with `endpoint` pointed here.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { compilePattern, UnsupportedPatternError } from '../event-pattern';
import { LOOPBACK, endpointOf } from '../emulators/ports';
import type { EmulatorOptions, RunningEmulator } from '../emulators/ports';
import { ArchiveError } from './archive';
import type { StartReplayInput } from './archive';
import { DEFAULT_BUS, EventBridgeError } from './bus';
import type { LocalEventBridge, PutEventsEntry, PutRuleInput, Target } from './bus';

type Body = Record<string, unknown>;
type Operation = (bus: LocalEventBridge, body: Body) => unknown;

const str = (body: Body, key: string): string | undefined =>
  typeof body[key] === 'string' ? (body[key] as string) : undefined;
const required = (body: Body, key: string): string => {
  const value = str(body, key);
  if (!value)
    throw new EventBridgeError(
      'ValidationException',
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
};
const busOf = (body: Body): string => str(body, 'EventBusName') ?? DEFAULT_BUS;

const operations: Record<string, Operation> = {
  PutEvents: (bus, body) => bus.publish((body.Entries ?? []) as PutEventsEntry[]),
  CreateEventBus: (bus, body) => ({ EventBusArn: bus.createEventBus(required(body, 'Name')) }),
  DeleteEventBus: (bus, body) => {
    bus.deleteEventBus(required(body, 'Name'));
    return {};
  },
  DescribeEventBus: (bus, body) => bus.describeEventBus(str(body, 'Name') ?? DEFAULT_BUS),
  ListEventBuses: (bus, body) => ({ EventBuses: bus.listEventBuses(str(body, 'NamePrefix')) }),
  PutRule: (bus, body) => bus.putRule(body as unknown as PutRuleInput),
  DeleteRule: (bus, body) => {
    bus.deleteRule(required(body, 'Name'), busOf(body), body.Force === true);
    return {};
  },
  DescribeRule: (bus, body) => bus.describeRule(required(body, 'Name'), busOf(body)),
  ListRules: (bus, body) => ({ Rules: bus.listRules(busOf(body), str(body, 'NamePrefix')) }),
  EnableRule: (bus, body) => {
    bus.setRuleState(required(body, 'Name'), busOf(body), true);
    return {};
  },
  DisableRule: (bus, body) => {
    bus.setRuleState(required(body, 'Name'), busOf(body), false);
    return {};
  },
  PutTargets: (bus, body) =>
    bus.putTargets(required(body, 'Rule'), (body.Targets ?? []) as Target[], busOf(body)),
  RemoveTargets: (bus, body) =>
    bus.removeTargets(required(body, 'Rule'), (body.Ids ?? []) as string[], busOf(body)),
  ListTargetsByRule: (bus, body) => ({ Targets: bus.listTargets(required(body, 'Rule'), busOf(body)) }),
  CreateArchive: (bus, body) => {
    const source = required(body, 'EventSourceArn');
    if (!bus.hasEventBus(source))
      throw new EventBridgeError('ResourceNotFoundException', 'The archive source bus does not exist.');
    return bus.archives.createArchive({
      ArchiveName: required(body, 'ArchiveName'),
      EventSourceArn: bus.describeEventBus(source).Arn,
      busName: bus.busName(source),
      Description: str(body, 'Description'),
      EventPattern: body.EventPattern as string | undefined,
      RetentionDays: typeof body.RetentionDays === 'number' ? body.RetentionDays : undefined,
    });
  },
  DescribeArchive: (bus, body) => bus.archives.describeArchive(required(body, 'ArchiveName')),
  ListArchives: (bus, body) => ({ Archives: bus.archives.listArchives(str(body, 'EventSourceArn')) }),
  DeleteArchive: (bus, body) => {
    bus.archives.deleteArchive(required(body, 'ArchiveName'));
    return {};
  },
  StartReplay: (bus, body) => bus.archives.startReplay(body as unknown as StartReplayInput),
  DescribeReplay: (bus, body) => bus.archives.describeReplay(required(body, 'ReplayName')),
  ListReplays: (bus, body) => ({
    Replays: bus.archives.listReplays({
      NamePrefix: str(body, 'NamePrefix'),
      EventSourceArn: str(body, 'EventSourceArn'),
      State: str(body, 'State'),
    }),
  }),
  CancelReplay: (bus, body) => ({
    ReplayArn: bus.archives.describeReplay(required(body, 'ReplayName')).ReplayArn,
    ...bus.archives.cancelReplay(required(body, 'ReplayName')),
  }),
  TestEventPattern: (_bus, body) => {
    try {
      return { Result: compilePattern(required(body, 'EventPattern'))(JSON.parse(required(body, 'Event'))) };
    } catch (error) {
      if (error instanceof UnsupportedPatternError)
        throw new EventBridgeError('InvalidEventPatternException', error.message);
      if (error instanceof SyntaxError)
        throw new EventBridgeError('ValidationException', 'Event is not valid JSON.');
      throw error;
    }
  },
};

export const SUPPORTED_OPERATIONS = Object.keys(operations);

export interface RunningEventBridgeServer extends RunningEmulator {
  bus: LocalEventBridge;
}

/** Serves a LocalEventBridge over HTTP on 127.0.0.1. */
export async function startEventBridgeServer(
  bus: LocalEventBridge,
  options: EmulatorOptions = {},
): Promise<RunningEventBridgeServer> {
  const host = options.host ?? LOOPBACK;
  const server = createServer((request, response) => {
    void handle(bus, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('EventBridge server has no TCP address');
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return { endpoint: endpointOf(host, address.port), port: address.port, bus, stop };
}

async function handle(
  bus: LocalEventBridge,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  const send = (status: number, payload: unknown, errorType?: string): void => {
    const text = JSON.stringify(payload);
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': requestId,
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    response.end(text);
  };
  const fail = (error: EventBridgeError): void =>
    send(error.status, { __type: error.code, message: error.message }, error.code);
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method === 'GET' && (request.url === '/health' || request.url === '/')) {
      send(200, { status: 'ok', operations: SUPPORTED_OPERATIONS });
      return;
    }
    const target = request.headers['x-amz-target'];
    const operation =
      typeof target === 'string' && target.startsWith('AWSEvents.')
        ? target.slice('AWSEvents.'.length)
        : undefined;
    const handler = operation ? operations[operation] : undefined;
    if (request.method !== 'POST' || !handler) {
      fail(
        new EventBridgeError(
          'UnknownOperationException',
          `Operation ${String(target)} is not supported by the local EventBridge.`,
        ),
      );
      return;
    }
    let body: Body;
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      body = text ? (JSON.parse(text) as Body) : {};
    } catch {
      fail(new EventBridgeError('SerializationException', 'The request body is not valid JSON.'));
      return;
    }
    send(200, handler(bus, body) ?? {});
  } catch (error) {
    if (error instanceof EventBridgeError) fail(error);
    else if (error instanceof ArchiveError) fail(new EventBridgeError(error.code, error.message));
    else
      fail(
        new EventBridgeError(
          'InternalException',
          error instanceof Error ? error.message : String(error),
          500,
        ),
      );
  }
}
