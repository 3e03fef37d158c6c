import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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

/** The osls CLI script, run with this process's node (Node 22 under npm scripts). */
function serverlessCli(): string {
  return require.resolve('serverless/bin/serverless.js');
}

const PACKAGE_TIMEOUT_MS = 180_000;
const LOCK_STALE_MS = PACKAGE_TIMEOUT_MS + 30_000;

/**
 * Holds a lock directory beside .serverless while `fn` runs, so two processes (parallel test
 * suites, a test and `npm start`) never package the same service at once. mkdir is atomic; a lock
 * older than the packaging timeout is left over from a killed process and is taken over.
 */
async function withServiceLock<T>(serviceDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(serviceDir, '.serverless-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Runs `serverless package --stage <stage>` in a service directory, offline, bounded in time.
 * `templateOnly` (what the local cloud asks for) makes only the CloudFormation template, no bundles
 * or zip, in a service that lists `@switchyard/local-packaging`; anything that checks or deploys
 * packages in full.
 */
export function packageService(
  serviceDir: string,
  stage: string,
  options: {
    templateOnly?: boolean;
    /** Where osls's node keeps V8's compiled code (NODE_COMPILE_CACHE): later packagings load faster. */
    compileCacheDir?: string;
  } = {},
): Promise<void> {
  return withServiceLock(serviceDir, () => runPackage(serviceDir, stage, options));
}

function runPackage(
  serviceDir: string,
  stage: string,
  options: { templateOnly?: boolean; compileCacheDir?: string },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverlessCli(), 'package', '--stage', stage], {
      cwd: serviceDir,
      env: {
        ...offlinePackagingEnv(),
        ...(options.templateOnly ? { SWITCHYARD_TEMPLATE_ONLY: '1' } : {}),
        ...(options.compileCacheDir ? { NODE_COMPILE_CACHE: options.compileCacheDir } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // osls has been seen to stay alive after writing its output; never let that stall a start.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`serverless package in ${serviceDir} took over ${PACKAGE_TIMEOUT_MS / 1000} s:\n${output}`),
      );
    }, PACKAGE_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`serverless package failed in ${serviceDir} (exit ${code}):\n${output}`));
    });
  });
}
