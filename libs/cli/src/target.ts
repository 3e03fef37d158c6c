import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '@switchyard/local-cloud/src/repo-root';

/** Where a command acts: the running local cloud (from .switchyard/dev.json) or a stage on AWS. */
export type Target =
  | { kind: 'local'; stage: 'local'; region: string; devJson: string; info: LocalCloudFacts }
  | { kind: 'aws'; stage: string; region: string };

/** The facts the local cloud writes for scripts; see libs/local-cloud/src/dev-info.ts. */
export interface LocalCloudFacts {
  apiUrl: string;
  stage?: string;
  mailboxUrl: string;
  region: string;
  endpoints: Record<string, string>;
  tenantId: string | null;
  apiKey: string | null;
  services: string[];
  missing: string[];
  /** DLQ alarms carry queue and depth; function alarms functionName and metric (libs/local-cloud's AlarmState). */
  alarms: {
    name: string;
    state: string;
    value?: number;
    queue?: string;
    depth?: number;
    functionName?: string;
    metric?: string;
  }[];
  /** When billing runs: the secret its Stripe webhook verifies (`npx switchyard stripe trigger`). */
  stripeWebhookSecret?: string;
  pid: number;
}

export class TargetError extends Error {}

/**
 * With no --stage (or --stage local) the target is the local cloud, found through dev.json;
 * otherwise AWS, with credentials from the default provider chain.
 */
export function resolveTarget(
  options: { stage?: string; region?: string; devJson?: string },
  cwd = process.cwd(),
): Target {
  if (options.stage && options.stage !== 'local') {
    return {
      kind: 'aws',
      stage: options.stage,
      region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    };
  }
  const root = findRepoRoot(cwd);
  const devJson =
    options.devJson ??
    process.env.SWITCHYARD_DEV_JSON ??
    (root ? join(root, '.switchyard', 'dev.json') : undefined);
  if (!devJson || !existsSync(devJson)) {
    throw new TargetError(
      'the local cloud is not running (no .switchyard/dev.json): start it with `npm start`, or pass --stage <stage> for AWS',
    );
  }
  const info = JSON.parse(readFileSync(devJson, 'utf8')) as LocalCloudFacts;
  if (!isAlive(info.pid)) {
    throw new TargetError(
      `the local cloud that wrote ${devJson} (pid ${info.pid}) is not running: start it with \`npm start\``,
    );
  }
  return { kind: 'local', stage: 'local', region: info.region, devJson, info };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Points the AWS SDK at the local emulators (the SDK reads these variables itself). */
export function useLocalEndpoints(target: Target): void {
  if (target.kind !== 'local') return;
  const variables: Record<string, string | undefined> = {
    AWS_ENDPOINT_URL_DYNAMODB: target.info.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: target.info.endpoints.sqs,
    AWS_ENDPOINT_URL_SNS: target.info.endpoints.sns,
    AWS_ENDPOINT_URL_S3: target.info.endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: target.info.endpoints.ses,
    AWS_ENDPOINT_URL_EVENTBRIDGE: target.info.endpoints.events,
  };
  for (const [key, value] of Object.entries(variables)) if (value) process.env[key] = value;
  process.env.AWS_REGION = target.region;
  // The emulators accept any signature; the default chain still needs something to sign with.
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
}
