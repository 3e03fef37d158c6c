/**
 * A small part of AWS Lambda's API (REST-JSON, version 2015-03-31) over the function host, so the
 * unchanged `@aws-sdk/client-lambda` (and `aws lambda ... --endpoint-url`) work against the local
 * cloud for what operators do with functions:
 *
 * - ListFunctions, GetFunction, GetFunctionConfiguration;
 * - UpdateFunctionConfiguration for `Environment` only (a bad deploy of a variable, and its fix): the
 *   next invocations run in fresh sandboxes with the new variables;
 * - ListEventSourceMappings and GetEventSourceMapping, built from the packaged templates (which queue
 *   or stream feeds which function, and where a stream's failures go), so DLQ tooling discovers
 *   consumers the same way locally as on AWS.
 *
 * Like the other emulators it accepts any signature and listens on 127.0.0.1 only.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESERVED_ENVIRONMENT_VARIABLES } from '@switchyard/cfn-policy/src/rules/lambda';
import { LOOPBACK, endpointOf } from './emulators/ports';
import type { EmulatorOptions, RunningEmulator } from './emulators/ports';
import type { SqsMapping } from './runner/event-sources/sqs-poller';
import type { StreamMapping } from './runner/event-sources/stream-poller';
import type { AlarmState } from './dev-info';
import type { MeteredRequests } from './request-meter';
import type { FunctionMetrics, FunctionTotals } from './runner/host/invocation-metrics';
import type { FunctionGroupStats } from './runner/host/worker-pool';
import type { FunctionModel } from './runner/template';
import { LOCAL_ACCOUNT_ID } from './types';

/** What the API needs from the function host. */
export interface LambdaFunctions {
  functionNames(): string[];
  describe(functionNameOrArn: string): FunctionModel | undefined;
  declaredEnvironment(functionNameOrArn: string): Record<string, string> | undefined;
  updateEnvironment(functionNameOrArn: string, variables: Record<string, string>): void;
}

/**
 * Not Lambda's API: what `npx switchyard status` shows of the local cloud's health, which CloudWatch
 * would answer on AWS (each function's figures over a window, and the alarms the cloud evaluates).
 */
export type LocalHealth = (windowMs: number) => {
  functions: FunctionMetrics[];
  alarms: AlarmState[];
  /** The function host's worker groups: which functions share workers, and how many run now. */
  workerGroups?: FunctionGroupStats[];
  /** Since the start: each function's invocations, summed duration and memory (what Lambda bills). */
  totals?: (FunctionTotals & { memorySize: number })[];
  /** The AWS requests counted when the cloud runs with request metering (request-meter.ts). */
  requests?: MeteredRequests[];
};

/** The local-only path of LocalHealth, beside Lambda's API: `GET <lambda endpoint>/_switchyard/health?minutes=N`. */
export const LOCAL_HEALTH_PATH = '/_switchyard/health';

/** An event source mapping as Lambda's API returns it (the fields we know locally). */
export interface EventSourceMappingConfiguration {
  UUID: string;
  EventSourceArn: string;
  FunctionArn: string;
  State: 'Enabled' | 'Disabled';
  StateTransitionReason: string;
  LastModified: number;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  FunctionResponseTypes: string[];
  StartingPosition?: string;
  MaximumRetryAttempts?: number;
  BisectBatchOnFunctionError?: boolean;
  DestinationConfig?: { OnFailure: { Destination: string } };
  FilterCriteria?: { Filters: { Pattern: string }[] };
}

const functionArn = (region: string, name: string) =>
  `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}`;

/** A stable UUID-shaped id per mapping, so ids survive restarts like CloudFormation's do. */
function mappingUuid(service: string, logicalId: string): string {
  const hex = createHash('sha256').update(`${service}/${logicalId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const filterCriteria = (m: { filterPatterns?: string[] }) =>
  m.filterPatterns?.length
    ? { FilterCriteria: { Filters: m.filterPatterns.map((Pattern) => ({ Pattern })) } }
    : {};

/** The mappings the pollers run, in Lambda's API shape. */
export function eventSourceMappingsOf(
  sqs: SqsMapping[],
  streams: StreamMapping[],
  region: string,
  now = Date.now(),
): EventSourceMappingConfiguration[] {
  const lastModified = Math.floor(now / 1000);
  const common = (m: { service: string; logicalId: string; functionName: string; enabled: boolean }) => ({
    UUID: mappingUuid(m.service, m.logicalId),
    FunctionArn: functionArn(region, m.functionName),
    State: m.enabled ? ('Enabled' as const) : ('Disabled' as const),
    StateTransitionReason: 'USER_INITIATED',
    LastModified: lastModified,
  });
  return [
    ...sqs.map((m) => ({
      ...common(m),
      EventSourceArn: m.queueArn,
      BatchSize: m.batchSize,
      MaximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
      FunctionResponseTypes: m.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      ...filterCriteria(m),
    })),
    ...streams.map((m) => ({
      ...common(m),
      EventSourceArn: m.streamArn,
      BatchSize: m.batchSize,
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: m.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      StartingPosition: m.startingPosition,
      MaximumRetryAttempts: m.maximumRetryAttempts,
      BisectBatchOnFunctionError: m.bisectBatchOnFunctionError,
      ...(m.onFailure ? { DestinationConfig: { OnFailure: { Destination: m.onFailure.arn } } } : {}),
      ...filterCriteria(m),
    })),
  ];
}

class LambdaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LambdaApiOptions extends EmulatorOptions {
  region: string;
  log?: (line: string) => void;
}

export interface RunningLambdaApi extends RunningEmulator {
  /** Connects the API to the function host and the mappings once they exist. */
  attach(functions: LambdaFunctions, mappings: EventSourceMappingConfiguration[], health?: LocalHealth): void;
}

/** Starts the API before the function host exists (functions get its endpoint in their environment). */
export async function startLambdaApi(options: LambdaApiOptions): Promise<RunningLambdaApi> {
  const host = options.host ?? LOOPBACK;
  const state: {
    functions?: LambdaFunctions;
    mappings: EventSourceMappingConfiguration[];
    health?: LocalHealth;
  } = {
    mappings: [],
  };
  const lastModified = new Map<string, string>();
  const startedAt = lambdaTime(new Date());

  const configuration = (name: string) => {
    const fns = state.functions;
    const model = fns?.describe(name);
    const variables = fns?.declaredEnvironment(name);
    if (!model || !variables) {
      throw new LambdaError(
        404,
        'ResourceNotFoundException',
        `Function not found: ${functionArn(options.region, name)}`,
      );
    }
    return {
      FunctionName: model.functionName,
      FunctionArn: functionArn(options.region, model.functionName),
      Runtime: model.runtime ?? 'nodejs22.x',
      Role: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${model.service}-local-role`,
      Handler: model.handler,
      CodeSize: 0,
      Description: '',
      Timeout: model.timeoutSeconds,
      MemorySize: model.memorySize,
      LastModified: lastModified.get(model.functionName) ?? startedAt,
      Version: '$LATEST',
      Environment: { Variables: variables },
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
    };
  };

  const routes: {
    method: string;
    pattern: RegExp;
    run: (match: string[], query: URLSearchParams, body: Record<string, unknown>) => unknown;
  }[] = [
    {
      method: 'GET',
      pattern: new RegExp(`^${LOCAL_HEALTH_PATH}/?$`),
      run: (_m, query) => {
        const minutes = Math.min(15, Math.max(1, Number(query.get('minutes') ?? 5) || 5));
        return {
          windowMinutes: minutes,
          ...(state.health?.(minutes * 60_000) ?? { functions: [], alarms: [] }),
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/2015-03-31\/functions\/?$/,
      run: (_m, query) => {
        const all = (state.functions?.functionNames() ?? []).sort().map((name) => configuration(name));
        const result = page(all, query);
        return { Functions: result.items, ...(result.NextMarker ? { NextMarker: result.NextMarker } : {}) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/,
      run: ([name]) => configuration(name!),
    },
    {
      method: 'GET',
      pattern: /^\/2015-03-31\/functions\/([^/]+)\/?$/,
      run: ([name]) => ({ Configuration: configuration(name!), Code: { RepositoryType: 'Local' } }),
    },
    {
      method: 'PUT',
      pattern: /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/,
      run: ([name], _query, body) => {
        const current = configuration(name!);
        const unsupported = Object.keys(body).filter((key) => key !== 'Environment' && key !== 'RevisionId');
        if (unsupported.length > 0) {
          throw new LambdaError(
            400,
            'InvalidParameterValueException',
            `The local cloud changes only Environment; not supported here: ${unsupported.join(', ')}`,
          );
        }
        const environment = body.Environment as { Variables?: Record<string, unknown> } | undefined;
        if (environment === undefined) return current;
        const variables: Record<string, string> = {};
        for (const [key, value] of Object.entries(environment.Variables ?? {}))
          variables[key] = String(value);
        const reserved = Object.keys(variables).filter((key) => RESERVED_ENVIRONMENT_VARIABLES.has(key));
        if (reserved.length > 0) {
          throw new LambdaError(
            400,
            'InvalidParameterValueException',
            `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
          );
        }
        state.functions!.updateEnvironment(current.FunctionName, variables);
        lastModified.set(current.FunctionName, lambdaTime(new Date()));
        const changed = [
          ...new Set([...Object.keys(variables), ...Object.keys(current.Environment.Variables)]),
        ].filter((key) => variables[key] !== current.Environment.Variables[key]);
        // Names only: values may be anything the operator typed.
        options.log?.(
          `${current.FunctionName}: environment updated (${changed.length ? changed.join(', ') : 'no change'}); new sandboxes from the next invocation`,
        );
        return configuration(current.FunctionName);
      },
    },
    {
      method: 'GET',
      pattern: /^\/2015-03-31\/event-source-mappings\/?$/,
      run: (_m, query) => {
        const source = query.get('EventSourceArn');
        const fn = query.get('FunctionName');
        const name = fn ? (fn.startsWith('arn:') ? fn.split(':')[6] : fn.split(':')[0]) : undefined;
        const all = state.mappings.filter(
          (m) =>
            (!source || m.EventSourceArn === source) &&
            (!name || m.FunctionArn.endsWith(`:function:${name}`)),
        );
        const result = page(all, query);
        return {
          EventSourceMappings: result.items,
          ...(result.NextMarker ? { NextMarker: result.NextMarker } : {}),
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/2015-03-31\/event-source-mappings\/([^/]+)\/?$/,
      run: ([uuid]) => {
        const mapping = state.mappings.find((m) => m.UUID === uuid);
        if (!mapping)
          throw new LambdaError(
            404,
            'ResourceNotFoundException',
            `The resource you requested does not exist.`,
          );
        return mapping;
      },
    },
  ];

  const server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, payload: unknown, errorType?: string) => {
      const text = JSON.stringify(payload);
      response.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      response.end(text);
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const url = new URL(request.url ?? '/', 'http://localhost');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      if (text) {
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          throw new LambdaError(
            400,
            'InvalidRequestContentException',
            'Could not parse request body into json',
          );
        }
      }
      for (const route of routes) {
        if (route.method !== request.method) continue;
        const match = route.pattern.exec(url.pathname);
        if (!match) continue;
        const params = match.slice(1).map((part) => decodeURIComponent(part));
        if (!state.functions) throw new LambdaError(503, 'ServiceException', 'the functions are starting');
        send(200, route.run(params, url.searchParams, body));
        return;
      }
      throw new LambdaError(
        404,
        'UnknownOperationException',
        `${request.method} ${url.pathname} is not supported by the local Lambda API`,
      );
    } catch (error) {
      if (error instanceof LambdaError)
        send(error.status, { Type: 'User', message: error.message }, error.code);
      else send(500, { Type: 'Service', message: (error as Error).message }, 'ServiceException');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('Lambda API has no TCP address');
  let stopping: Promise<void> | undefined;
  return {
    endpoint: endpointOf(host, address.port),
    port: address.port,
    attach: (functions, mappings, health) => {
      state.functions = functions;
      state.mappings = mappings;
      state.health = health;
    },
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** Marker/MaxItems paging: the marker is the index of the next item. */
function page<T>(items: T[], query: URLSearchParams): { items: T[]; NextMarker?: string } {
  const start = Math.max(0, Number(query.get('Marker') ?? 0) || 0);
  const max = Math.min(10_000, Math.max(1, Number(query.get('MaxItems') ?? 50) || 50));
  const slice = items.slice(start, start + max);
  return start + max < items.length ? { items: slice, NextMarker: String(start + max) } : { items: slice };
}

/** Lambda's LastModified format: `2024-05-01T10:20:30.000+0000`. */
function lambdaTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}
