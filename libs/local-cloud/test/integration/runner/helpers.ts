/**
 * Test doubles and setup shared by the runner's integration suites. The registry double stands in
 * for provisioning (an interface seam): a Map of resources plus a small intrinsic resolver.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CloudFormationTemplate } from '../../../src/packaging';
import { packageService, readPackagedTemplate } from '../../../src/packaging';
import type {
  InvocationResult,
  Invoker,
  PackagedService,
  ProvisionedResource,
  ResourceRegistry,
} from '../../../src/types';
import { LOCAL_ACCOUNT_ID } from '../../../src/types';
import { repoRoot } from '../../../src/repo-root';

export const FIXTURE_DIR = resolve(__dirname, '../../fixtures/sample-service');
export const REGION = 'us-east-1';

let packaging: Promise<CloudFormationTemplate> | undefined;

/** Packages the fixture once per process (serverless package, offline). */
export function packagedFixture(): Promise<CloudFormationTemplate> {
  packaging ??= packageService(FIXTURE_DIR, 'local').then(() => readPackagedTemplate(FIXTURE_DIR));
  return packaging;
}

export async function fixtureService(dir: string = FIXTURE_DIR): Promise<PackagedService> {
  return { name: 'sample', dir, stage: 'local', template: await packagedFixture() };
}

/** A copy of the fixture's sources under the repo's .switchyard dir (so bundling still finds node_modules). */
export function copyFixture(): string {
  const base = join(repoRoot(), '.switchyard', 'tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'sample-'));
  cpSync(join(FIXTURE_DIR, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(FIXTURE_DIR, 'serverless.yml'), join(dir, 'serverless.yml'));
  if (!existsSync(join(dir, 'src', 'handlers', 'hello.ts'))) throw new Error('fixture copy failed');
  return dir;
}

/** Physical identities for the fixture's resources, the way provisioning would name them. */
export function fixtureResources(sqsEndpoint = 'http://127.0.0.1:1'): ProvisionedResource[] {
  const queue = (logicalId: string, name: string): ProvisionedResource => ({
    logicalId,
    type: 'AWS::SQS::Queue',
    ref: `${sqsEndpoint}/${LOCAL_ACCOUNT_ID}/${name}`,
    attributes: { Arn: `arn:aws:sqs:${REGION}:${LOCAL_ACCOUNT_ID}:${name}`, QueueName: name },
  });
  return [
    queue('WorkQueue', 'sample-local-work'),
    queue('WorkDlq', 'sample-local-work-dlq'),
    queue('StreamFailuresQueue', 'sample-local-stream-failures'),
    {
      logicalId: 'ItemsTable',
      type: 'AWS::DynamoDB::Table',
      ref: 'sample-local-items',
      attributes: {
        Arn: `arn:aws:dynamodb:${REGION}:${LOCAL_ACCOUNT_ID}:table/sample-local-items`,
        StreamArn: `arn:aws:dynamodb:${REGION}:${LOCAL_ACCOUNT_ID}:table/sample-local-items/stream/x`,
      },
    },
  ];
}

export class MapRegistry implements ResourceRegistry {
  private readonly resources = new Map<string, ProvisionedResource>();

  constructor(service: string, resources: ProvisionedResource[]) {
    for (const resource of resources) this.resources.set(`${service}/${resource.logicalId}`, resource);
  }

  set(service: string, resource: ProvisionedResource): void {
    this.resources.set(`${service}/${resource.logicalId}`, resource);
  }

  get(service: string, logicalId: string): ProvisionedResource | undefined {
    return this.resources.get(`${service}/${logicalId}`);
  }

  resolve(service: string, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(service, v));
    if (!value || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return this.ref(service, record.Ref);
    if (record['Fn::GetAtt']) {
      const getAtt = record['Fn::GetAtt'];
      const [id, attribute] = Array.isArray(getAtt) ? (getAtt as string[]) : String(getAtt).split('.');
      if (attribute === 'Arn' && id?.endsWith('LambdaFunction'))
        return `arn:aws:lambda:${REGION}:${LOCAL_ACCOUNT_ID}:function:${id}`;
      const resolved = this.get(service, id ?? '')?.attributes[attribute ?? ''];
      if (resolved === undefined) throw new Error(`cannot resolve Fn::GetAtt ${id}.${attribute}`);
      return resolved;
    }
    if (record['Fn::Join']) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => this.resolve(service, p)).join(separator);
    }
    if (typeof record['Fn::Sub'] === 'string') {
      return record['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_m, name: string) =>
        String(this.ref(service, name)),
      );
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, this.resolve(service, v)]));
  }

  private ref(service: string, name: string): string {
    if (name === 'AWS::Region') return REGION;
    if (name === 'AWS::AccountId') return LOCAL_ACCOUNT_ID;
    if (name === 'AWS::Partition') return 'aws';
    const resource = this.get(service, name);
    if (!resource) throw new Error(`cannot resolve Ref ${name}`);
    return resource.ref;
  }
}

export interface RecordedInvocation {
  functionName: string;
  event: unknown;
  result: InvocationResult;
}

/** Wraps an Invoker to record every invocation the pollers make. */
export class RecordingInvoker implements Invoker {
  readonly calls: RecordedInvocation[] = [];

  constructor(private readonly inner: Invoker) {}

  async invoke(functionName: string, event: unknown): Promise<InvocationResult> {
    const result = await this.inner.invoke(functionName, event);
    this.calls.push({ functionName, event, result });
    return result;
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
