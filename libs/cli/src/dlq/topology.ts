/**
 * Gathers the facts discovery needs (queues with their attributes, Lambda's event source mappings)
 * and each DLQ's oldest message age, for the two kinds of target:
 *
 * - the local cloud: SQS ListQueues on its SQS endpoint (every queue there is the platform's), its
 *   Lambda API's ListEventSourceMappings, and the SQS emulator's non-destructive inspection for ages;
 * - AWS: the CloudFormation stacks `<service>-<stage>` tagged `project: switchyard` (their queues and
 *   functions), SQS GetQueueAttributes, Lambda ListEventSourceMappings per function, and CloudWatch's
 *   ApproximateAgeOfOldestMessage for ages.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { LOCAL_CREDENTIALS } from '../api';
import type { Target } from '../target';
import { TargetError } from '../target';
import type { MappingFacts, QueueFacts } from './discovery';
import { parseRedrivePolicy } from './discovery';

/** Clients a command may be given (tests) instead of the ones made for the target. */
export interface AwsClients {
  sqs?: SQSClient;
  lambda?: LambdaClient;
  dynamodb?: DynamoDBClient;
  cloudWatch?: CloudWatchClient;
  cloudFormation?: CloudFormationClient;
}

export interface Topology {
  target: Target;
  sqs: SQSClient;
  lambda: LambdaClient;
  dynamodb: DynamoDBClient;
  queues(): Promise<QueueFacts[]>;
  mappings(): Promise<MappingFacts[]>;
  /** Age in seconds of the oldest message of a queue; null when unknown or empty. */
  oldestAgeSeconds(queue: QueueFacts): Promise<number | null>;
}

const QUEUE_ATTRIBUTES = [
  'QueueArn',
  'RedrivePolicy',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
] as const;

async function queueFacts(sqs: SQSClient, url: string): Promise<QueueFacts> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...QUEUE_ATTRIBUTES] }),
  );
  const arn = Attributes.QueueArn ?? '';
  const redrivePolicy = parseRedrivePolicy(Attributes.RedrivePolicy);
  return {
    name: arn.split(':').pop() || url.split('/').pop() || url,
    url,
    arn,
    ...(redrivePolicy ? { redrivePolicy } : {}),
    depth: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

async function mappingsOf(lambda: LambdaClient, functionName?: string): Promise<MappingFacts[]> {
  const facts: MappingFacts[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(
      new ListEventSourceMappingsCommand({
        ...(functionName ? { FunctionName: functionName } : {}),
        Marker: marker,
      }),
    );
    for (const mapping of page.EventSourceMappings ?? []) {
      if (!mapping.FunctionArn || !mapping.EventSourceArn) continue;
      const destination = mapping.DestinationConfig?.OnFailure?.Destination;
      facts.push({
        functionArn: mapping.FunctionArn,
        eventSourceArn: mapping.EventSourceArn,
        ...(destination ? { onFailureDestination: destination } : {}),
        ...(mapping.State ? { state: mapping.State } : {}),
      });
    }
    marker = page.NextMarker;
  } while (marker);
  return facts;
}

export function localTopology(
  target: Extract<Target, { kind: 'local' }>,
  clients: AwsClients = {},
): Topology {
  const { endpoints } = target.info;
  if (!endpoints.lambda) {
    throw new TargetError(
      'the running local cloud has no Lambda API (it was started by an older version): restart `npm start`',
    );
  }
  const common = { region: target.region, credentials: LOCAL_CREDENTIALS };
  const sqs = clients.sqs ?? new SQSClient({ ...common, endpoint: endpoints.sqs });
  const lambda = clients.lambda ?? new LambdaClient({ ...common, endpoint: endpoints.lambda });
  const dynamodb = clients.dynamodb ?? new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb });
  return {
    target,
    sqs,
    lambda,
    dynamodb,
    async queues() {
      const urls: string[] = [];
      let token: string | undefined;
      do {
        const page = await sqs.send(new ListQueuesCommand({ NextToken: token, MaxResults: 1000 }));
        urls.push(...(page.QueueUrls ?? []));
        token = page.NextToken;
      } while (token);
      return Promise.all(urls.map((url) => queueFacts(sqs, url)));
    },
    mappings: () => mappingsOf(lambda),
    async oldestAgeSeconds(queue) {
      // The SQS emulator's inspection endpoint reads the queue without receiving anything.
      try {
        const response = await fetch(`${endpoints.sqs}/_fauxqs/queues/${encodeURIComponent(queue.name)}`);
        if (!response.ok) return null;
        const body = (await response.json()) as {
          messages?: Record<string, { sentTimestamp?: number; message?: { sentTimestamp?: number } }[]>;
        };
        const sent = Object.values(body.messages ?? {})
          .flat()
          .map((entry) => entry.sentTimestamp ?? entry.message?.sentTimestamp)
          .filter((value): value is number => typeof value === 'number');
        return sent.length ? Math.max(0, Math.round((Date.now() - Math.min(...sent)) / 1000)) : null;
      } catch {
        return null;
      }
    },
  };
}

/** The stack's resources of the given types, every page. */
async function stackResources(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<{ type: string; physicalId: string }[]> {
  const resources: { type: string; physicalId: string }[] = [];
  let token: string | undefined;
  do {
    const page = await cloudFormation.send(
      new ListStackResourcesCommand({ StackName: stackName, NextToken: token }),
    );
    for (const summary of page.StackResourceSummaries ?? []) {
      if (summary.ResourceType && summary.PhysicalResourceId)
        resources.push({ type: summary.ResourceType, physicalId: summary.PhysicalResourceId });
    }
    token = page.NextToken;
  } while (token);
  return resources;
}

/** Stacks of this stage: named `<service>-<stage>` and tagged `project: switchyard` (serverless.common.yml). */
export async function switchyardStacks(
  cloudFormation: CloudFormationClient,
  stage: string,
): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await cloudFormation.send(new DescribeStacksCommand({ NextToken: token }));
    for (const stack of page.Stacks ?? []) {
      const name = stack.StackName ?? '';
      const ours = stack.Tags?.some((tag) => tag.Key === 'project' && tag.Value === 'switchyard');
      if (ours && name.endsWith(`-${stage}`) && !/DELETE_COMPLETE/.test(stack.StackStatus ?? ''))
        names.push(name);
    }
    token = page.NextToken;
  } while (token);
  return names.sort();
}

export function awsTopology(target: Extract<Target, { kind: 'aws' }>, clients: AwsClients = {}): Topology {
  const common = { region: target.region, credentials: fromNodeProviderChain() };
  const sqs = clients.sqs ?? new SQSClient(common);
  const lambda = clients.lambda ?? new LambdaClient(common);
  const dynamodb = clients.dynamodb ?? new DynamoDBClient(common);
  const cloudWatch = clients.cloudWatch ?? new CloudWatchClient(common);
  const cloudFormation = clients.cloudFormation ?? new CloudFormationClient(common);
  let resources: Promise<{ queues: string[]; functions: string[] }> | undefined;
  const ours = () =>
    (resources ??= (async () => {
      const stacks = await switchyardStacks(cloudFormation, target.stage);
      if (stacks.length === 0) {
        throw new TargetError(
          `no Switchyard stacks for stage ${target.stage} in ${target.region} (stacks named <service>-${target.stage} tagged project=switchyard)`,
        );
      }
      const all = (await Promise.all(stacks.map((name) => stackResources(cloudFormation, name)))).flat();
      return {
        queues: all.filter((r) => r.type === 'AWS::SQS::Queue').map((r) => r.physicalId),
        functions: all.filter((r) => r.type === 'AWS::Lambda::Function').map((r) => r.physicalId),
      };
    })());
  return {
    target,
    sqs,
    lambda,
    dynamodb,
    async queues() {
      const { queues } = await ours();
      return Promise.all(queues.map((url) => queueFacts(sqs, url)));
    },
    async mappings() {
      const { functions } = await ours();
      return (await Promise.all(functions.map((name) => mappingsOf(lambda, name)))).flat();
    },
    async oldestAgeSeconds(queue) {
      if (queue.depth + queue.inFlight === 0) return null;
      const now = Date.now();
      const { Datapoints = [] } = await cloudWatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateAgeOfOldestMessage',
          Dimensions: [{ Name: 'QueueName', Value: queue.name }],
          StartTime: new Date(now - 15 * 60_000),
          EndTime: new Date(now),
          Period: 60,
          Statistics: ['Maximum'],
        }),
      );
      const latest = Datapoints.filter((d) => d.Timestamp && d.Maximum !== undefined).sort(
        (a, b) => b.Timestamp!.getTime() - a.Timestamp!.getTime(),
      )[0];
      return latest ? Math.round(latest.Maximum!) : null;
    },
  };
}

export function topologyFor(target: Target, clients: AwsClients = {}): Topology {
  return target.kind === 'local' ? localTopology(target, clients) : awsTopology(target, clients);
}
