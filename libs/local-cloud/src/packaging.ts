import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Path of the template `serverless package` writes, which the local cloud and the policy test read. */
export function packagedTemplatePath(serviceDir: string): string {
  return join(serviceDir, '.serverless', 'cloudformation-template-update-stack.json');
}

export function readPackagedTemplate(serviceDir: string): CloudFormationTemplate {
  const path = packagedTemplatePath(serviceDir);
  if (!existsSync(path)) {
    throw new Error(`${serviceDir} is not packaged (no ${path}); run npm run package`);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as CloudFormationTemplate;
}

export interface CloudFormationTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  Outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Environment for packaging: no AWS credentials or profiles, so packaging provably needs neither. */
export function offlinePackagingEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!key.startsWith('AWS_')) env[key] = value;
  }
  return {
    ...env,
    AWS_REGION: base.AWS_REGION ?? 'us-east-1',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
}

/** Runs `serverless package --stage <stage>` in a service directory, offline. */
export function packageService(serviceDir: string, stage: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('serverless', ['package', '--stage', stage], {
      cwd: serviceDir,
      env: offlinePackagingEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`serverless package failed in ${serviceDir} (exit ${code}):\n${output}`));
    });
  });
}
