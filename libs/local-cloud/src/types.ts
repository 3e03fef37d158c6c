/**
 * The seams between the local cloud's parts. Emulators and provisioning produce a ResourceRegistry;
 * the runner hosts functions behind an Invoker; event sources (gateway, pollers, bus, scheduler) call
 * the Invoker. Everything is derived from the packaged CloudFormation templates.
 */
import type { CloudFormationTemplate } from './packaging';

export const LOCAL_ACCOUNT_ID = '000000000000';

export interface Endpoints {
  dynamodb: string;
  sqs: string;
  sns: string;
  s3: string;
  ses: string;
  events: string;
  /** Lambda's API (functions' configuration, event source mappings), see src/lambda-api.ts. */
  lambda?: string;
}

export interface PackagedService {
  /** Name in serverless-compose.yml, e.g. "ingest". */
  name: string;
  /** Absolute directory of the service (holds serverless.yml and src/). */
  dir: string;
  stage: string;
  template: CloudFormationTemplate;
}

/** Physical identity of one provisioned resource, keyed by its template's logical id. */
export interface ProvisionedResource {
  logicalId: string;
  type: string;
  /** What `Ref` returns for this resource type (table name, queue URL, topic ARN, function name...). */
  ref: string;
  /** `Fn::GetAtt` attributes (Arn, QueueName, StreamArn, QueueUrl...). */
  attributes: Record<string, string>;
}

/** Resolves intrinsic functions of one service's template against what was provisioned. */
export interface ResourceRegistry {
  get(service: string, logicalId: string): ProvisionedResource | undefined;
  /** Resolves Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::If (false branch unsupported → error) and pseudo-parameters. */
  resolve(service: string, value: unknown): unknown;
}

/** How a function failed, the way Lambda reports it. */
export interface InvocationError {
  errorType: string; // e.g. 'Error', 'Sandbox.Timedout'
  errorMessage: string;
}

export type InvocationResult = { ok: true; result: unknown } | { ok: false; error: InvocationError };

export interface Invoker {
  /** Invokes a function by its physical name (AWS::Lambda::Function FunctionName) or its ARN. */
  invoke(
    functionNameOrArn: string,
    event: unknown,
    /**
     * For a response-streaming function: each chunk it writes (the first begins with the metadata
     * prelude, JSON then 8 zero bytes), and a signal that destroys its stream when the client goes.
     */
    streaming?: { onChunk?: (chunk: Buffer) => void; signal?: AbortSignal },
  ): Promise<InvocationResult>;
}
