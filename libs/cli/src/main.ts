import { Command, CommanderError } from 'commander';
import { ApiError, commandContext } from './api';
import type { ApiDeps } from './api';
import { registerDlq } from './commands/dlq';
import type { DlqDeps } from './commands/dlq';
import { registerKeys } from './commands/keys';
import { registerTenants } from './commands/tenants';
import { registerUsers } from './commands/users';
import { CliError, ExitStatus } from './exit';
import { resolveTarget, TargetError } from './target';

/** Builds the program; each command group lives in its own module and is added here. */
export function buildProgram(
  out: (text: string) => void,
  err: (text: string) => void = (text) => process.stderr.write(text),
  deps: ApiDeps & DlqDeps = {},
): Command {
  const program = new Command('switchyard')
    .description('Operate Switchyard: the local cloud (default) or a stage on AWS (--stage).')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });

  program
    .command('status')
    .description('Show the running local cloud: URLs, services, demo tenant and DLQ alarms.')
    .option('--json', 'print JSON for scripts')
    .action(async (options: { json?: boolean }) => {
      const target = resolveTarget({});
      if (target.kind !== 'local') return;
      const response = await fetch(`${target.info.apiUrl}/status`).catch(() => undefined);
      const facts = { ...target.info, reachable: response?.ok ?? false };
      if (options.json) {
        out(`${JSON.stringify(facts, null, 2)}\n`);
        return;
      }
      const firing = facts.alarms.filter((alarm) => alarm.state === 'ALARM');
      out(
        [
          `API       ${facts.apiUrl} (${facts.reachable ? 'answering' : 'NOT answering'})`,
          `Mailbox   ${facts.mailboxUrl}`,
          `Services  ${facts.services.join(', ') || '(none)'}`,
          `Tenant    ${facts.tenantId ?? `none: ${facts.missing.join('; ')}`}`,
          `Alarms    ${firing.length ? firing.map((a) => `${a.name} (${a.queue}: ${a.depth})`).join(', ') : 'none firing'}`,
          '',
        ].join('\n'),
      );
    });
  const context = commandContext(out, deps);
  registerTenants(program, context);
  registerKeys(program, context);
  registerUsers(program, context);
  registerDlq(program, { out, err, deps });
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function main(
  argv: string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
  deps: ApiDeps & DlqDeps = {},
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
