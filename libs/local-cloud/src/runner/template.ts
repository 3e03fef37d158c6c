/**
 * Reads the parts of a packaged CloudFormation template the runner needs: functions, HTTP API routes
 * (with their JWT authorizers) and event source mappings. Values that may be intrinsics (environment
 * variables, event source ARNs, destinations) are kept unresolved; callers resolve them through the
 * ResourceRegistry once resources are provisioned.
 */
import type { CloudFormationTemplate } from '../packaging';
import type { PackagedService } from '../types';

type Resource = CloudFormationTemplate['Resources'][string];

export const DEFAULT_TIMEOUT_SECONDS = 6;
export const DEFAULT_MEMORY_MB = 128;

export interface FunctionModel {
  service: string;
  serviceDir: string;
  logicalId: string;
  /** Physical name; CloudFormation's generated name is approximated when the template sets none. */
  functionName: string;
  /** e.g. `src/handlers/hello.handler`. */
  handler: string;
  runtime?: string;
  timeoutSeconds: number;
  memorySize: number;
  /** Environment.Variables as written in the template (may hold Ref/Fn::GetAtt/Fn::Sub). */
  environment: Record<string, unknown>;
}

export interface JwtAuthorizerModel {
  logicalId: string;
  name?: string;
  issuer: unknown;
  audience: unknown[];
  /** e.g. `$request.header.Authorization`. */
  identitySource: string[];
}

export interface HttpRouteModel {
  service: string;
  logicalId: string;
  /** `GET /hello/{name}`, `ANY /{proxy+}` or `$default`. */
  routeKey: string;
  /** Upper-case method or `ANY` (also for `$default`). */
  method: string;
  /** Path with `{param}`/`{proxy+}` placeholders; undefined for `$default`. */
  path?: string;
  functionLogicalId: string;
  payloadFormatVersion: string;
  /** Integration timeout (API Gateway answers 503 past it). */
  timeoutInMillis: number;
  authorizationType: string;
  /** The JWT authorizer when it is declared in the same template. */
  authorizer?: JwtAuthorizerModel;
  /** Unresolved AuthorizerId: a Ref into this template, or an id another stack exports. */
  authorizerId?: unknown;
  authorizationScopes?: string[];
  /** Unresolved ApiId: the API the route belongs to (its own stack's, or one it imports). */
  apiId?: unknown;
}

export type EventSourceKind = 'sqs' | 'dynamodb' | 'kinesis' | 'unknown';

export interface EventSourceMappingModel {
  service: string;
  logicalId: string;
  kind: EventSourceKind;
  /** Unresolved EventSourceArn (usually Fn::GetAtt [Queue, Arn] or [Table, StreamArn]). */
  eventSourceArn: unknown;
  /** Logical id of the source resource when EventSourceArn points into the same template. */
  sourceLogicalId?: string;
  functionLogicalId?: string;
  /** Unresolved FunctionName property. */
  functionName: unknown;
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  /** SQS: ScalingConfig.MaximumConcurrency, the most batches Lambda hands the function at once. */
  maximumConcurrency?: number;
  functionResponseTypes: string[];
  startingPosition?: string;
  /** -1 (Lambda's default) means retry until the record expires. */
  maximumRetryAttempts?: number;
  bisectBatchOnFunctionError: boolean;
  /** Unresolved DestinationConfig.OnFailure.Destination. */
  onFailureDestination?: unknown;
  /** FilterCriteria.Filters[].Pattern: JSON event patterns; a record reaches the function if any matches. */
  filterPatterns: string[];
  enabled: boolean;
}

export interface ServiceModel {
  service: string;
  dir: string;
  functions: FunctionModel[];
  routes: HttpRouteModel[];
  eventSourceMappings: EventSourceMappingModel[];
}

/** Logical id a `Ref`, `Fn::GetAtt` (array or dotted string) or `Fn::Join`/`Fn::Sub` around one points to. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  const join = record['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) {
    for (const part of join[1] as unknown[]) {
      const id = referencedLogicalId(part);
      if (id) return id;
    }
  }
  return undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

function asBoolean(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fallback;
}

/** The patterns of an event source mapping's FilterCriteria (strings in CloudFormation; objects kept as JSON). */
function filterPatternsOf(criteria: unknown): string[] {
  const filters = (criteria as { Filters?: unknown } | undefined)?.Filters;
  if (!Array.isArray(filters)) return [];
  return filters
    .map((filter) => (filter as { Pattern?: unknown } | undefined)?.Pattern)
    .filter((pattern) => pattern !== undefined && pattern !== null)
    .map((pattern) => (typeof pattern === 'string' ? pattern : JSON.stringify(pattern)));
}

function props(resource: Resource | undefined): Record<string, unknown> {
  return (resource?.Properties ?? {}) as Record<string, unknown>;
}

function sourceKind(
  template: CloudFormationTemplate,
  arn: unknown,
): { kind: EventSourceKind; logicalId?: string } {
  const logicalId = referencedLogicalId(arn);
  const type = logicalId ? template.Resources[logicalId]?.Type : undefined;
  if (type === 'AWS::SQS::Queue') return { kind: 'sqs', logicalId };
  if (type === 'AWS::DynamoDB::Table' || type === 'AWS::DynamoDB::GlobalTable')
    return { kind: 'dynamodb', logicalId };
  if (type === 'AWS::Kinesis::Stream') return { kind: 'kinesis', logicalId };
  const text = typeof arn === 'string' ? arn : JSON.stringify(arn ?? '');
  if (text.includes(':sqs:')) return { kind: 'sqs', logicalId };
  if (text.includes(':dynamodb:')) return { kind: 'dynamodb', logicalId };
  if (text.includes(':kinesis:')) return { kind: 'kinesis', logicalId };
  return { kind: 'unknown', logicalId };
}

export function readServiceModel(service: Pick<PackagedService, 'name' | 'dir' | 'template'>): ServiceModel {
  const { template } = service;
  const resources = template.Resources;
  const functions: FunctionModel[] = [];
  const routes: HttpRouteModel[] = [];
  const eventSourceMappings: EventSourceMappingModel[] = [];

  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const p = props(resource);
    const environment =
      (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    functions.push({
      service: service.name,
      serviceDir: service.dir,
      logicalId,
      functionName: typeof p.FunctionName === 'string' ? p.FunctionName : `${service.name}-${logicalId}`,
      handler: String(p.Handler ?? ''),
      runtime: typeof p.Runtime === 'string' ? p.Runtime : undefined,
      timeoutSeconds: asNumber(p.Timeout) ?? DEFAULT_TIMEOUT_SECONDS,
      memorySize: asNumber(p.MemorySize) ?? DEFAULT_MEMORY_MB,
      environment: { ...environment },
    });
  }

  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const p = props(resource);
    const routeKey = String(p.RouteKey ?? '');
    const integrationId = referencedLogicalId(p.Target);
    const integration = integrationId ? props(resources[integrationId]) : {};
    const functionLogicalId = referencedLogicalId(integration.IntegrationUri);
    if (!functionLogicalId || resources[functionLogicalId]?.Type !== 'AWS::Lambda::Function') continue;
    const [method, path] = routeKey === '$default' ? ['ANY', undefined] : splitRouteKey(routeKey);
    const authorizationType = typeof p.AuthorizationType === 'string' ? p.AuthorizationType : 'NONE';
    let authorizer: JwtAuthorizerModel | undefined;
    const authorizerId = referencedLogicalId(p.AuthorizerId);
    if (authorizationType === 'JWT' && authorizerId && resources[authorizerId]) {
      authorizer = jwtAuthorizerModel(authorizerId, props(resources[authorizerId]));
    }
    routes.push({
      service: service.name,
      logicalId,
      routeKey,
      method,
      path,
      functionLogicalId,
      payloadFormatVersion: String(integration.PayloadFormatVersion ?? '2.0'),
      timeoutInMillis: asNumber(integration.TimeoutInMillis) ?? 30_000,
      authorizationType,
      authorizer,
      authorizerId: p.AuthorizerId,
      apiId: p.ApiId,
      authorizationScopes: Array.isArray(p.AuthorizationScopes)
        ? p.AuthorizationScopes.map(String)
        : undefined,
    });
  }

  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const p = props(resource);
    const source = sourceKind(template, p.EventSourceArn);
    const functionLogicalId = referencedLogicalId(p.FunctionName);
    const destinationConfig = p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined;
    eventSourceMappings.push({
      service: service.name,
      logicalId,
      kind: source.kind,
      eventSourceArn: p.EventSourceArn,
      sourceLogicalId: source.logicalId,
      functionLogicalId,
      functionName: p.FunctionName,
      batchSize: asNumber(p.BatchSize),
      maximumBatchingWindowInSeconds: asNumber(p.MaximumBatchingWindowInSeconds),
      maximumConcurrency: asNumber(
        (p.ScalingConfig as { MaximumConcurrency?: unknown } | undefined)?.MaximumConcurrency,
      ),
      functionResponseTypes: Array.isArray(p.FunctionResponseTypes)
        ? p.FunctionResponseTypes.map(String)
        : [],
      startingPosition: typeof p.StartingPosition === 'string' ? p.StartingPosition : undefined,
      maximumRetryAttempts: asNumber(p.MaximumRetryAttempts),
      bisectBatchOnFunctionError: asBoolean(p.BisectBatchOnFunctionError, false),
      onFailureDestination: destinationConfig?.OnFailure?.Destination,
      filterPatterns: filterPatternsOf(p.FilterCriteria),
      enabled: asBoolean(p.Enabled, true),
    });
  }

  return { service: service.name, dir: service.dir, functions, routes, eventSourceMappings };
}

/** A JWT authorizer's settings from its AWS::ApiGatewayV2::Authorizer properties (unresolved). */
export function jwtAuthorizerModel(logicalId: string, a: Record<string, unknown>): JwtAuthorizerModel {
  const jwt = (a.JwtConfiguration ?? {}) as { Issuer?: unknown; Audience?: unknown };
  const identitySource = a.IdentitySource;
  return {
    logicalId,
    name: typeof a.Name === 'string' ? a.Name : undefined,
    issuer: jwt.Issuer,
    audience: Array.isArray(jwt.Audience) ? jwt.Audience : jwt.Audience === undefined ? [] : [jwt.Audience],
    identitySource: Array.isArray(identitySource)
      ? identitySource.map(String)
      : typeof identitySource === 'string'
        ? identitySource.split(',').map((s) => s.trim())
        : ['$request.header.Authorization'],
  };
}

function splitRouteKey(routeKey: string): [string, string] {
  const space = routeKey.indexOf(' ');
  if (space < 0) return ['ANY', routeKey];
  return [routeKey.slice(0, space).toUpperCase(), routeKey.slice(space + 1)];
}

/** The function a mapping targets, by logical id or by a literal name/ARN. */
export function mappingFunction(
  model: ServiceModel,
  mapping: EventSourceMappingModel,
): FunctionModel | undefined {
  if (mapping.functionLogicalId)
    return model.functions.find((f) => f.logicalId === mapping.functionLogicalId);
  if (typeof mapping.functionName === 'string') {
    const name = functionNameFromArn(mapping.functionName);
    return model.functions.find((f) => f.functionName === name);
  }
  return undefined;
}

/** `arn:aws:lambda:r:a:function:name[:qualifier]` → `name`; a plain name is returned as is. */
export function functionNameFromArn(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn.split(':')[0] ?? nameOrArn;
  const parts = nameOrArn.split(':');
  const index = parts.indexOf('function');
  return index >= 0 ? (parts[index + 1] ?? nameOrArn) : nameOrArn;
}
