import { Command, CommanderError } from 'commander';
import { ApiError, commandContext } from './api';
import type { ApiDeps } from './api';
import { registerBus } from './commands/bus';
import type { BusDeps } from './commands/bus';
import { registerDlq } from './commands/dlq';
import type { DlqDeps } from './commands/dlq';
import { registerKeys } from './commands/keys';
import { registerSmoke } from './commands/smoke';
import { registerStripe } from './commands/stripe';
import { registerTenants } from './commands/tenants';
import { LOCAL_HEALTH_PATH } from '@switchyard/local-cloud/src/lambda-api';
import { registerUsers } from './commands/users';
import { CliError, ExitStatus } from './exit';
import { resolveTarget, TargetError } from './target';
import type { LocalCloudFacts } from './target';

/** Builds the program; each command group lives in its own module and is added here. */
export function buildProgram(
  out: (text: string) => void,
  err: (text: string) => void = (text) => process.stderr.write(text),
  deps: ApiDeps & DlqDeps & BusDeps = {},
): Command {
  const program = new Command('switchyard')
    .description('Operate Switchyard: the local cloud (default) or a stage on AWS (--stage).')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });

  program
    .command('status')
    .description(
      "Show the running local cloud: URLs, services, demo tenant, each function's invocations, errors and p99, and the alarms.",
    )
    .option('--minutes <n>', 'the window of the function figures, 1 to 15 minutes', '5')
    .option('--json', 'print JSON for scripts')
    .action(async (options: { json?: boolean; minutes: string }) => {
      const target = resolveTarget({});
      if (target.kind !== 'local') return;
      const minutes = Number(options.minutes);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 15) {
        throw new CliError('--minutes must be a whole number from 1 to 15');
      }
      const response = await fetch(`${target.info.apiUrl}/status`).catch(() => undefined);
      const health = await localHealth(target.info.endpoints.lambda, minutes);
      const facts = { ...target.info, reachable: response?.ok ?? false, ...(health ? { health } : {}) };
      if (options.json) {
        out(`${JSON.stringify(facts, null, 2)}\n`);
        return;
      }
      const alarms = health?.alarms ?? facts.alarms;
      const firing = alarms.filter((alarm) => alarm.state === 'ALARM');
      out(
        [
          `API       ${facts.apiUrl} (${facts.reachable ? 'answering' : 'NOT answering'})`,
          `Mailbox   ${facts.mailboxUrl}`,
          `Services  ${facts.services.join(', ') || '(none)'}`,
          `Tenant    ${facts.tenantId ?? `none: ${facts.missing.join('; ')}`}`,
          `Alarms    ${firing.length ? firing.map(describeAlarm).join(', ') : `none firing (${alarms.length} evaluated locally)`}`,
          '',
          ...formatFunctionTable(health, minutes),
        ].join('\n'),
      );
    });
  const context = commandContext(out, deps);
  registerTenants(program, context);
  registerKeys(program, context);
  registerUsers(program, context);
  registerDlq(program, { out, err, deps });
  registerBus(program, { out, err, deps });
  registerSmoke(program, { out, deps });
  registerStripe(program, out);
  return program;
}

interface LocalHealthAnswer {
  windowMinutes: number;
  functions: { functionName: string; invocations: number; errors: number; p99Ms: number | null }[];
  alarms: LocalCloudFacts['alarms'];
}

/** The local cloud's figures (its Lambda endpoint's local-only health path), or undefined if it is down. */
async function localHealth(
  endpoint: string | undefined,
  minutes: number,
): Promise<LocalHealthAnswer | undefined> {
  if (!endpoint) return undefined;
  const response = await fetch(`${endpoint}${LOCAL_HEALTH_PATH}?minutes=${minutes}`).catch(() => undefined);
  if (!response?.ok) return undefined;
  return (await response.json()) as LocalHealthAnswer;
}

function describeAlarm(alarm: LocalCloudFacts['alarms'][number]): string {
  if (alarm.queue !== undefined) return `${alarm.name} (${alarm.queue}: ${alarm.depth})`;
  return `${alarm.name} (${alarm.metric} ${alarm.value})`;
}

/** One line per function invoked in the window: invocations, errors and p99 latency. */
export function formatFunctionTable(health: LocalHealthAnswer | undefined, minutes: number): string[] {
  if (!health) return ['Functions (figures unavailable: the local cloud did not answer)', ''];
  if (health.functions.length === 0) return [`Functions none invoked in the last ${minutes} min`, ''];
  const width = Math.max(8, ...health.functions.map((f) => f.functionName.length));
  return [
    `Functions in the last ${minutes} min`,
    `  ${'function'.padEnd(width)}  invocations  errors  p99 ms`,
    ...health.functions.map(
      (f) =>
        `  ${f.functionName.padEnd(width)}  ${String(f.invocations).padStart(11)}  ${String(f.errors).padStart(6)}  ${String(f.p99Ms === null ? '-' : Math.round(f.p99Ms)).padStart(6)}`,
    ),
    '',
  ];
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function main(
  argv: string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
  deps: ApiDeps & DlqDeps & BusDeps = {},
): Promise<number> {
  const program = buildProgram(out, err, deps);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ExitStatus) return error.code;
    if (error instanceof CliError) {
      err(`switchyard: ${error.message}\n`);
      return 1;
    }
    if (error instanceof ApiError) {
      // The API's error shape: `{ error: { code, message, correlationId } }`.
      err(`switchyard: ${error.describe()}\n`);
      return 1;
    }
    if (error instanceof TargetError) {
      err(`switchyard: ${error.message}\n`);
      return 1;
    }
    err(`switchyard: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
