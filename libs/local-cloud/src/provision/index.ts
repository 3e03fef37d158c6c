// Creates, in the local emulators, what each service's packaged CloudFormation template declares.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput, TableDescription } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { LocalEventBridge, Target } from '../eventbridge/bus';
import { LOCAL_ACCOUNT_ID } from '../types';
import type { Endpoints, Invoker, PackagedService, ProvisionedResource } from '../types';
import { Registry, referencedIds } from './registry';

export { Registry, IntrinsicError, referencedIds } from './registry';

/** Types the local cloud does not create: permissions, logging, versions, and what the runner serves. */
export const SKIPPED_TYPES = [
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::S3::BucketPolicy',
  'AWS::Events::EventBusPolicy',
  'AWS::IAM::*',
  'AWS::Logs::*',
  'AWS::ApiGatewayV2::*',
  'AWS::ApiGateway::*',
  'AWS::Lambda::Permission',
  'AWS::Lambda::Version',
  'AWS::Lambda::Alias',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::EventInvokeConfig',
  // Function URLs: the gateway serves response-streaming ones at their LocalRoute (gateway/http-gateway.ts).
  'AWS::Lambda::Url',
  'AWS::CloudFormation::*',
  'AWS::CloudWatch::Dashboard',
  'AWS::CertificateManager::*',
];

export interface AlarmDefinition {
  service: string;
  logicalId: string;
  alarmName: string;
  /** Properties with intrinsics resolved (Dimensions name real queues, AlarmActions real topics). */
  properties: Record<string, unknown>;
}

export interface ProvisionedRegistry extends Registry {
  alarms(): AlarmDefinition[];
  /** Logical ids skipped by type, per service, for a startup summary. */
  skipped(): { service: string; logicalId: string; type: string }[];
}

export interface ProvisionOptions {
  endpoints: Endpoints;
  region?: string;
  accountId?: string;
  bus: LocalEventBridge;
  /** Attached to the bus for Lambda targets when given. */
  invoker?: Invoker;
  log?: (message: string) => void;
}

type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: unknown;
  Condition?: unknown;
};

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function isSkipped(type: string): boolean {
  return SKIPPED_TYPES.some((pattern) =>
    pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern,
  );
}

/** osls names the stack `${service}-${stage}` unless provider.stackName says otherwise. */
export function stackNameOf(service: PackagedService): string {
  const statePath = join(service.dir, '.serverless', 'serverless-state.json');
  if (existsSync(statePath)) {
    try {
      const state = JSON.parse(readFileSync(statePath, 'utf8')) as {
        service?: { service?: string; provider?: { stackName?: string } };
      };
      const custom = state.service?.provider?.stackName;
      if (custom) return custom;
      if (state.service?.service) return `${state.service.service}-${service.stage}`;
    } catch {
      // fall through to the compose name
    }
  }
  return `${service.name}-${service.stage}`;
}

/** Creation order: a resource after everything it references (Ref, GetAtt, Sub, DependsOn). */
export function creationOrder(resources: Record<string, Resource>): string[] {
  const ids = Object.keys(resources);
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): void => {
    const current = state.get(id);
    if (current === 'done' || current === 'visiting') return; // a cycle: CloudFormation would reject it
    state.set(id, 'visiting');
    const resource = resources[id];
    const deps = referencedIds(resource?.Properties ?? {});
    const dependsOn = resource?.DependsOn;
    for (const dep of typeof dependsOn === 'string'
      ? [dependsOn]
      : Array.isArray(dependsOn)
        ? dependsOn
        : []) {
      if (typeof dep === 'string') deps.add(dep);
    }
    for (const dep of deps) if (dep in resources) visit(dep);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of ids) visit(id);
  return order;
}

/** Provisions every service's template; returns the registry the runner resolves intrinsics with. */
export async function provisionServices(
  services: PackagedService[],
  options: ProvisionOptions,
): Promise<ProvisionedRegistry> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
  const log = options.log ?? ((message: string) => console.warn(`[provision] ${message}`));
  const registry = new Registry({ region, accountId }) as ProvisionedRegistry;
  const alarms: AlarmDefinition[] = [];
  const skipped: { service: string; logicalId: string; type: string }[] = [];
  registry.alarms = () => alarms.map((alarm) => ({ ...alarm }));
  registry.skipped = () => [...skipped];
  if (options.invoker) options.bus.setInvoker(options.invoker);

  const clientConfig = { region, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: options.endpoints.dynamodb });
  const sqs = new SQSClient({ ...clientConfig, endpoint: options.endpoints.sqs });
  const sns = new SNSClient({ ...clientConfig, endpoint: options.endpoints.sns });
  const s3 = new S3Client({ ...clientConfig, endpoint: options.endpoints.s3, forcePathStyle: true });
  const arn = (service: string, rest: string): string => `arn:aws:${service}:${region}:${accountId}:${rest}`;

  for (const service of services) {
    registry.addStack(service.name, { stackName: stackNameOf(service), template: service.template });
  }

  // Buses first, across all services: a rule in one service often targets a bus another one declares.
  for (const service of services) {
    for (const [logicalId, resource] of Object.entries(service.template.Resources)) {
      if (resource.Type !== 'AWS::Events::EventBus') continue;
      if (!registry.exists(service.name, resource as Resource)) continue;
      const name = registry.resolveString(service.name, resource.Properties?.Name, `${logicalId}.Name`);
      const busArn = options.bus.ensureEventBus(name);
      registry.set(service.name, {
        logicalId,
        type: resource.Type,
        ref: name,
        attributes: { Arn: busArn, Name: name },
      });
    }
  }

  // Tables next, all side by side, as CloudFormation creates resources that do not depend on each
  // other: each CreateTable waits on DynamoDB Local for tens of milliseconds, and one after another
  // they were most of the provisioning's time. A table whose properties name another resource is
  // left to its turn below.
  const tables = new Map<string, Promise<TableDescription>>();
  for (const service of services) {
    const stackName = registry.stack(service.name)?.stackName ?? service.name;
    for (const [logicalId, resource] of Object.entries(
      service.template.Resources as Record<string, Resource>,
    )) {
      if (resource.Type !== 'AWS::DynamoDB::Table' || !registry.exists(service.name, resource)) continue;
      let name: string;
      let props: Record<string, unknown>;
      try {
        const raw = resource.Properties ?? {};
        name =
          raw.TableName === undefined
            ? generatedName(stackName, logicalId, 255)
            : registry.resolveString(service.name, raw.TableName, 'TableName');
        props = registry.resolve(service.name, raw) as Record<string, unknown>;
      } catch {
        continue;
      }
      const creation = createTable(dynamodb, name, props, log);
      // Awaited in the resource's turn; a failure then names the resource (and never goes unhandled).
      creation.catch(() => undefined);
      tables.set(`${service.name}/${logicalId}`, creation);
    }
  }

  try {
    for (const service of services) {
      const stackName = registry.stack(service.name)?.stackName ?? service.name;
      const resources = service.template.Resources as Record<string, Resource>;
      const resolve = (value: unknown): unknown => registry.resolve(service.name, value);
      const resolveString = (value: unknown, what: string): string =>
        registry.resolveString(service.name, value, what);
      const generated = (logicalId: string, max = 80): string => generatedName(stackName, logicalId, max);
      const nameOr = (value: unknown, logicalId: string, what: string, max?: number): string =>
        value === undefined ? generated(logicalId, max) : resolveString(value, what);
      const record = (resource: ProvisionedResource): void => registry.set(service.name, resource);

      for (const logicalId of creationOrder(resources)) {
        const resource = resources[logicalId];
        if (!resource || registry.get(service.name, logicalId)) continue;
        // CloudFormation creates a resource with a Condition only when the condition holds.
        if (!registry.exists(service.name, resource)) continue;
        const props = resource.Properties ?? {};
        const where = `${service.name}/${logicalId} (${resource.Type})`;
        try {
          switch (resource.Type) {
            case 'AWS::DynamoDB::Table': {
              const name = nameOr(props.TableName, logicalId, 'TableName', 255);
              const table = await (tables.get(`${service.name}/${logicalId}`) ??
                createTable(dynamodb, name, resolve(props) as Record<string, unknown>, log));
              const attributes: Record<string, string> = {
                Arn: table.TableArn ?? arn('dynamodb', `table/${name}`),
              };
              if (table.LatestStreamArn) attributes.StreamArn = table.LatestStreamArn;
              record({ logicalId, type: resource.Type, ref: name, attributes });
              break;
            }
            case 'AWS::SQS::Queue': {
              const fifo = props.FifoQueue === true || props.FifoQueue === 'true';
              const name =
                props.QueueName === undefined
                  ? `${generated(logicalId, fifo ? 75 : 80)}${fifo ? '.fifo' : ''}`
                  : resolveString(props.QueueName, 'QueueName');
              const url = await createQueue(
                sqs,
                name,
                queueAttributes(resolve(props) as Record<string, unknown>),
              );
              record({
                logicalId,
                type: resource.Type,
                ref: url,
                attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url },
              });
              break;
            }
            case 'AWS::SNS::Topic': {
              const fifo = props.FifoTopic === true || props.FifoTopic === 'true';
              const name = nameOr(props.TopicName, logicalId, 'TopicName', 256);
              const topic = await sns.send(
                new CreateTopicCommand({ Name: name, Attributes: fifo ? { FifoTopic: 'true' } : undefined }),
              );
              const topicArn = topic.TopicArn ?? arn('sns', name);
              record({
                logicalId,
                type: resource.Type,
                ref: topicArn,
                attributes: { TopicArn: topicArn, TopicName: name },
              });
              for (const sub of (resolve(props.Subscription) as
                { Protocol: string; Endpoint: string }[] | undefined) ?? []) {
                await subscribe(sns, topicArn, sub.Protocol, sub.Endpoint, {}, log, where);
              }
              break;
            }
            case 'AWS::SNS::Subscription': {
              const p = resolve(props) as Record<string, unknown>;
              const attributes: Record<string, string> = {};
              for (const key of [
                'RawMessageDelivery',
                'FilterPolicy',
                'FilterPolicyScope',
                'RedrivePolicy',
              ]) {
                const value = p[key];
                if (value !== undefined)
                  attributes[key] = typeof value === 'string' ? value : JSON.stringify(value);
              }
              const subArn = await subscribe(
                sns,
                String(p.TopicArn),
                String(p.Protocol),
                String(p.Endpoint),
                attributes,
                log,
                where,
              );
              record({
                logicalId,
                type: resource.Type,
                ref: subArn ?? `${String(p.TopicArn)}:${logicalId}`,
                attributes: {},
              });
              break;
            }
            case 'AWS::Events::Archive': {
              // Kept in the local bus's memory for RetentionDays (the stage parameter), for replays.
              const p = resolve(props) as Record<string, unknown>;
              const name = nameOr(p.ArchiveName, logicalId, 'ArchiveName', 48);
              const source = String(p.SourceArn);
              if (!options.bus.hasEventBus(source)) throw new Error(`archive source ${source} is no bus`);
              const archiveArn = options.bus.archives.ensureArchive({
                ArchiveName: name,
                EventSourceArn: options.bus.describeEventBus(source).Arn,
                busName: options.bus.busName(source),
                Description: p.Description as string | undefined,
                EventPattern: p.EventPattern as string | object | undefined,
                RetentionDays: p.RetentionDays === undefined ? undefined : Number(p.RetentionDays),
              });
              record({ logicalId, type: resource.Type, ref: name, attributes: { Arn: archiveArn } });
              break;
            }
            case 'AWS::Events::Rule': {
              const p = resolve(props) as Record<string, unknown>;
              const name = (p.Name as string | undefined) ?? generated(logicalId, 64);
              const busName = options.bus.busName((p.EventBusName as string | undefined) ?? 'default');
              if (!options.bus.hasEventBus(busName)) {
                log(`${where}: event bus ${busName} is declared by no service; creating it locally`);
                options.bus.ensureEventBus(busName);
              }
              const { RuleArn } = options.bus.putRule({
                Name: name,
                EventBusName: busName,
                EventPattern: p.EventPattern as string | object | undefined,
                ScheduleExpression: p.ScheduleExpression as string | undefined,
                State: p.State as string | undefined,
                Description: p.Description as string | undefined,
              });
              const targets = (p.Targets as Target[] | undefined) ?? [];
              if (targets.length > 0) {
                const result = options.bus.putTargets(name, targets, busName);
                for (const failure of result.FailedEntries) {
                  throw new Error(`target ${failure.TargetId}: ${failure.ErrorMessage}`);
                }
              }
              record({ logicalId, type: resource.Type, ref: name, attributes: { Arn: RuleArn } });
              break;
            }
            case 'AWS::S3::Bucket': {
              const name = nameOr(props.BucketName, logicalId, 'BucketName', 63).toLowerCase();
              try {
                await s3.send(new CreateBucketCommand({ Bucket: name }));
              } catch (error) {
                const code = (error as { name?: string }).name;
                if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
              }
              record({
                logicalId,
                type: resource.Type,
                ref: name,
                attributes: {
                  Arn: `arn:aws:s3:::${name}`,
                  DomainName: `${name}.s3.amazonaws.com`,
                  RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
                  WebsiteURL: `http://${name}.s3-website-${region}.amazonaws.com`,
                },
              });
              break;
            }
            case 'AWS::CloudWatch::Alarm': {
              const name = nameOr(props.AlarmName, logicalId, 'AlarmName', 255);
              alarms.push({
                service: service.name,
                logicalId,
                alarmName: name,
                properties: resolve(props) as Record<string, unknown>,
              });
              record({
                logicalId,
                type: resource.Type,
                ref: name,
                attributes: { Arn: arn('cloudwatch', `alarm:${name}`) },
              });
              break;
            }
            case 'AWS::Lambda::Function': {
              const name = nameOr(props.FunctionName, logicalId, 'FunctionName', 64);
              record({
                logicalId,
                type: resource.Type,
                ref: name,
                attributes: { Arn: arn('lambda', `function:${name}`) },
              });
              break;
            }
            // SES's configuration sets and their SNS event destinations: kept for the mailbox
            // simulator (emulators/ses-simulator.ts), which publishes bounces and complaints there.
            case 'AWS::SES::ConfigurationSet': {
              const name = nameOr(props.Name, logicalId, 'Name', 64);
              record({ logicalId, type: resource.Type, ref: name, attributes: {} });
              break;
            }
            case 'AWS::SES::ConfigurationSetEventDestination': {
              const p = resolve(props) as {
                ConfigurationSetName?: unknown;
                EventDestination?: {
                  Enabled?: unknown;
                  MatchingEventTypes?: unknown;
                  SnsDestination?: { TopicARN?: unknown };
                };
              };
              const destination = p.EventDestination ?? {};
              const types = Array.isArray(destination.MatchingEventTypes)
                ? destination.MatchingEventTypes
                : [];
              record({
                logicalId,
                type: resource.Type,
                ref: `${String(p.ConfigurationSetName)}|${logicalId}`,
                attributes: {
                  ConfigurationSetName: String(p.ConfigurationSetName ?? ''),
                  TopicArn: String(destination.SnsDestination?.TopicARN ?? ''),
                  EventTypes: types.map((t) => String(t).toLowerCase()).join(','),
                  Enabled: String(destination.Enabled !== false && destination.Enabled !== 'false'),
                },
              });
              break;
            }
            case 'AWS::Events::EventBus':
              break; // done above
            default: {
              if (!isSkipped(resource.Type))
                log(`${where}: resource type ${resource.Type} is not supported locally; skipped`);
              skipped.push({ service: service.name, logicalId, type: resource.Type });
              record(
                placeholder(
                  logicalId,
                  resource.Type,
                  props,
                  stackName,
                  (v) => tryResolve(registry, service.name, v),
                  arn,
                  accountId,
                ),
              );
            }
          }
        } catch (error) {
          throw new Error(`provisioning ${where} failed: ${(error as Error).message}`, { cause: error });
        }
      }
    }
  } finally {
    dynamodb.destroy();
    sqs.destroy();
    sns.destroy();
    s3.destroy();
  }
  return registry;
}

/** The name CloudFormation gives a resource whose template names none: its stack's and its own. */
function generatedName(stackName: string, logicalId: string, max: number): string {
  return `${stackName}-${logicalId}`.slice(0, max);
}

function tryResolve(registry: Registry, service: string, value: unknown): unknown {
  try {
    return registry.resolve(service, value);
  } catch {
    return undefined;
  }
}

/**
 * What Ref and GetAtt give for a resource we do not create, so templates that mention it still
 * resolve (a function's Role, a version's ARN, a log group's name).
 */
function placeholder(
  logicalId: string,
  type: string,
  props: Record<string, unknown>,
  stackName: string,
  resolve: (value: unknown) => unknown,
  arn: (service: string, rest: string) => string,
  accountId: string,
): ProvisionedResource {
  const named = (key: string): string => {
    const value = resolve(props[key]);
    return typeof value === 'string' ? value : `${stackName}-${logicalId}`;
  };
  switch (type) {
    case 'AWS::IAM::Role': {
      const name = named('RoleName');
      return {
        logicalId,
        type,
        ref: name,
        attributes: { Arn: `arn:aws:iam::${accountId}:role/${name}`, RoleId: name },
      };
    }
    case 'AWS::Logs::LogGroup': {
      const name = named('LogGroupName');
      return { logicalId, type, ref: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } };
    }
    case 'AWS::Lambda::Version': {
      const fn = resolve(props.FunctionName);
      const fnArn =
        typeof fn === 'string' && fn.startsWith('arn:') ? fn : arn('lambda', `function:${String(fn)}`);
      return { logicalId, type, ref: `${fnArn}:1`, attributes: { Version: '1', FunctionArn: fnArn } };
    }
    case 'AWS::ApiGatewayV2::Api':
    case 'AWS::ApiGatewayV2::Authorizer': {
      // Ids other stacks import (the platform's API, identity's authorizer): unique across stacks.
      const id = `${stackName}-${logicalId}`;
      return { logicalId, type, ref: id, attributes: { ApiId: id, ApiEndpoint: `local://${id}` } };
    }
    default:
      return { logicalId, type, ref: logicalId, attributes: { Arn: arn('local', `${type}/${logicalId}`) } };
  }
}

const QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'RedrivePolicy',
  'RedriveAllowPolicy',
];

/** CloudFormation queue properties → SQS attributes (strings); encryption settings are dropped. */
export function queueAttributes(props: Record<string, unknown>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const key of QUEUE_ATTRIBUTES) {
    const value = props[key];
    if (value === undefined || value === null) continue;
    if (key === 'FifoQueue' && String(value) !== 'true') continue;
    attributes[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return attributes;
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (created.QueueUrl) return created.QueueUrl;
  } catch (error) {
    // The queue exists with other attributes (a second provisioning against the same emulator).
    if ((error as { name?: string }).name !== 'QueueNameExists') throw error;
  }
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`queue ${name} has no URL`);
  const { FifoQueue: _fifo, ...mutable } = attributes;
  if (Object.keys(mutable).length > 0)
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: mutable }));
  return QueueUrl;
}

async function subscribe(
  sns: SNSClient,
  topicArn: string,
  protocol: string,
  endpoint: string,
  attributes: Record<string, string>,
  log: (message: string) => void,
  where: string,
): Promise<string | undefined> {
  if (protocol !== 'sqs') {
    log(`${where}: SNS subscriptions with protocol ${protocol} are not delivered locally (only sqs)`);
    return undefined;
  }
  const result = await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: protocol,
      Endpoint: endpoint,
      Attributes: attributes,
      ReturnSubscriptionArn: true,
    }),
  );
  return result.SubscriptionArn;
}

type IndexProps = { IndexName: string; KeySchema: unknown; Projection?: unknown };

/** Creates a table (keeping one that exists), with streams and TTL; billing, SSE and PITR are ignored. */
async function createTable(
  dynamodb: DynamoDBClient,
  name: string,
  props: Record<string, unknown>,
  log: (message: string) => void,
): Promise<TableDescription> {
  const stream = props.StreamSpecification as { StreamViewType?: string } | undefined;
  const keepIndex = (index: IndexProps): IndexProps => ({
    IndexName: index.IndexName,
    KeySchema: index.KeySchema,
    Projection: index.Projection ?? { ProjectionType: 'ALL' },
  });
  const gsis = (props.GlobalSecondaryIndexes as IndexProps[] | undefined)?.map(keepIndex);
  const lsis = (props.LocalSecondaryIndexes as IndexProps[] | undefined)?.map(keepIndex);
  const input = {
    TableName: name,
    AttributeDefinitions: props.AttributeDefinitions,
    KeySchema: props.KeySchema,
    // On-demand everywhere locally: no throughput to configure, same behaviour.
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: gsis && gsis.length > 0 ? gsis : undefined,
    LocalSecondaryIndexes: lsis && lsis.length > 0 ? lsis : undefined,
    StreamSpecification: stream?.StreamViewType
      ? { StreamEnabled: true, StreamViewType: stream.StreamViewType }
      : undefined,
  } as CreateTableCommandInput;
  let table: TableDescription | undefined;
  try {
    table = (await dynamodb.send(new CreateTableCommand(input))).TableDescription;
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    // Persisted from an earlier run: keep its data; turn on a stream the template now asks for.
    table = (await dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
    if (stream?.StreamViewType && !table?.StreamSpecification?.StreamEnabled) {
      table = (
        await dynamodb.send(
          new UpdateTableCommand({
            TableName: name,
            StreamSpecification: {
              StreamEnabled: true,
              StreamViewType: stream.StreamViewType as 'NEW_AND_OLD_IMAGES',
            },
          }),
        )
      ).TableDescription;
    }
  }
  const ttl = props.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  if (ttl?.AttributeName && ttl.Enabled !== false) {
    try {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
        }),
      );
    } catch (error) {
      // A persisted table already has it; anything else is worth a line.
      const message = (error as Error).message;
      if (!/already enabled/i.test(message)) log(`table ${name}: TTL not updated (${message})`);
    }
  }
  if (!table) throw new Error(`table ${name} has no description`);
  return table;
}
