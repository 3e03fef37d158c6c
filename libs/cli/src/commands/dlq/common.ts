/**
 * What the `switchyard dlq` subcommands share: their context, option parsing, finding the DLQ a
 * command names, the audit record around a replay or a purge, Ctrl-C, and the exit status.
 */
import { InvalidArgumentError } from 'commander';
import type { ApiDeps } from '../../api';
import { operatorApi } from '../../api';
import { auditLog } from '../../dlq/audit';
import type { AuditFinish, AuditLog, AuditStart, DlqActionRecord } from '../../dlq/audit';
import { findDeadLetterQueues, findQueue } from '../../dlq/discovery';
import type { DlqInfo, QueueFacts } from '../../dlq/discovery';
import { topologyFor } from '../../dlq/topology';
import type { AwsClients, Topology } from '../../dlq/topology';
import { CliError, ExitStatus } from '../../exit';
import { resolveTarget } from '../../target';
import type { Target } from '../../target';

/** What tests may inject: AWS clients, a stop signal standing in for Ctrl-C, where backups go. */
export interface DlqDeps extends AwsClients {
  interrupt?: AbortSignal;
  backupDir?: string;
}

export interface DlqContext {
  out: (text: string) => void;
  err: (text: string) => void;
  deps: ApiDeps & DlqDeps;
}

/** The options every subcommand takes (targetOptions): where it acts, and JSON output. */
export interface TargetFlags {
  stage?: string;
  region?: string;
  json?: boolean;
}

export const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`${name} must be a positive whole number`);
  return n;
};

export const positiveNumber = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
  return n;
};

/** A repeatable option's values, in order. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function formatAge(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

/** The target the flags name, how to read it, its DLQs and every queue (a replay's --to may name any). */
export async function discover(
  options: TargetFlags,
  ctx: DlqContext,
): Promise<{ target: Target; topology: Topology; dlqs: DlqInfo[]; queues: QueueFacts[] }> {
  const target = resolveTarget(options);
  const topology = topologyFor(target, ctx.deps);
  const [queues, mappings] = await Promise.all([topology.queues(), topology.mappings()]);
  return { target, topology, dlqs: findDeadLetterQueues(queues, mappings), queues };
}

/** As discover, and the DLQ `ref` names (name, URL or ARN); a CliError listing the DLQs when none. */
export async function discoverDlq(
  ref: string,
  options: TargetFlags,
  ctx: DlqContext,
): Promise<{ target: Target; topology: Topology; info: DlqInfo; queues: QueueFacts[] }> {
  const { target, topology, dlqs, queues } = await discover(options, ctx);
  const info = findQueue(ref, dlqs);
  if (!info) {
    throw new CliError(
      dlqs.length
        ? `${ref} is not a DLQ of this platform; the DLQs are: ${dlqs.map((d) => d.name).join(', ')}`
        : `${ref} is not a DLQ of this platform (no DLQ was found at all)`,
    );
  }
  return { target, topology, info, queues };
}

/** The audit trail in the ops service's operator routes, on the target. */
export async function auditFor(target: Target, ctx: DlqContext): Promise<AuditLog> {
  return auditLog(await operatorApi(target, ctx.deps));
}

export interface StartedAudit {
  audit: AuditLog;
  record: DlqActionRecord;
}

/**
 * Records the action in the audit trail before anything moves: an action that cannot be audited
 * does not run (a CliError saying nothing was `done`), except a dry run, which only warns.
 */
export async function startAudit(
  target: Target,
  ctx: DlqContext,
  input: AuditStart & { dryRun: false },
  done: string,
): Promise<StartedAudit>;
export async function startAudit(
  target: Target,
  ctx: DlqContext,
  input: AuditStart,
  done: string,
): Promise<StartedAudit | undefined>;
export async function startAudit(
  target: Target,
  ctx: DlqContext,
  input: AuditStart,
  done: string,
): Promise<StartedAudit | undefined> {
  try {
    const audit = await auditFor(target, ctx);
    return { audit, record: await audit.start(input) };
  } catch (error) {
    if (!input.dryRun)
      throw new CliError(
        `cannot write the audit record, so nothing was ${done}: ${(error as Error).message} (the ops service keeps it: is it running/deployed?)`,
      );
    ctx.err(`switchyard: warning: this dry run is not audited: ${(error as Error).message}\n`);
    return undefined;
  }
}

/** Finishes the audit record with what happened; returns what went wrong when it could not. */
export async function finishAudit(started: StartedAudit, outcome: AuditFinish): Promise<string | undefined> {
  try {
    await started.audit.finish(started.record.actionId, outcome);
    return undefined;
  } catch (error) {
    return `the audit record ${started.record.actionId} could not be finished: ${(error as Error).message}`;
  }
}

/**
 * After the summary is printed: says what the audit is missing, then exits 130 after Ctrl-C, 1 when
 * some messages failed or the audit could not be finished.
 */
export function exitAfterSummary(
  ctx: DlqContext,
  outcome: { interrupted: boolean; failed: boolean; auditProblem: string | undefined },
): void {
  if (outcome.auditProblem) ctx.err(`switchyard: ${outcome.auditProblem}\n`);
  if (outcome.interrupted) throw new ExitStatus(130);
  if (outcome.failed || outcome.auditProblem) throw new ExitStatus(1);
}

/** Ctrl-C (and the injected signal in tests) become one AbortSignal; a second Ctrl-C quits at once. */
export function stopOnInterrupt(ctx: DlqContext, what: string): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onInjected = () => controller.abort();
  ctx.deps.interrupt?.addEventListener('abort', onInjected, { once: true });
  if (ctx.deps.interrupt?.aborted) controller.abort();
  const onSigint = () => {
    if (controller.signal.aborted) {
      ctx.err(
        '\nswitchyard: second Ctrl-C: quitting now (the message in flight may now be in both queues)\n',
      );
      process.exit(130);
    }
    ctx.err(`\nswitchyard: stopping after the message in flight; ${what} (Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSigint);
      ctx.deps.interrupt?.removeEventListener('abort', onInjected);
    },
  };
}
