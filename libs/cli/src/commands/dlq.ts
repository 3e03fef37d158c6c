/**
 * `switchyard dlq list|peek|replay|purge|history`: on-call tools for dead-letter queues, on the local
 * cloud (no flags) and on AWS (`--stage`, `--region`). Thin: discovery, decoding, filters, rate and the
 * moves themselves live in ../dlq/ and are tested there. See docs/runbooks/dlq.md.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { formatTable, operatorApi, targetOptions } from '../api';
import type { ApiDeps } from '../api';
import type { AuditLog, DlqActionRecord } from '../dlq/audit';
import { auditLog } from '../dlq/audit';
import type { DecodedMessage, SqsMessageLike } from '../dlq/decode';
import { decodeMessage } from '../dlq/decode';
import type { DlqInfo, QueueFacts } from '../dlq/discovery';
import { findDeadLetterQueues, findQueue } from '../dlq/discovery';
import { peekMessages, purgeMessages, replayMessages } from '../dlq/engine';
import type { ReplayResult } from '../dlq/engine';
import { lookupFailures } from '../dlq/failures';
import { FilterError, describeFilter, isEmptyFilter, parseFilters } from '../dlq/filter';
import type { ReplayFilter } from '../dlq/filter';
import { moveWithTask } from '../dlq/move-task';
import { progressBar } from '../dlq/progress';
import { sqsPort } from '../dlq/sqs-port';
import type { AwsClients, Topology } from '../dlq/topology';
import { topologyFor } from '../dlq/topology';
import { CliError, ExitStatus } from '../exit';
import { findRepoRoot } from '@switchyard/local-cloud/src/repo-root';
import { resolveTarget } from '../target';

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

interface TargetFlags {
  stage?: string;
  region?: string;
  json?: boolean;
}

export const DEFAULT_RATE = 10;

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`${name} must be a positive whole number`);
  return n;
};
const positiveNumber = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
  return n;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

export function formatAge(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

async function discover(topology: Topology): Promise<{ dlqs: DlqInfo[]; queues: QueueFacts[] }> {
  const [queues, mappings] = await Promise.all([topology.queues(), topology.mappings()]);
  return { dlqs: findDeadLetterQueues(queues, mappings), queues };
}

function requireDlq(ref: string, dlqs: DlqInfo[]): DlqInfo {
  const dlq = findQueue(ref, dlqs);
  if (dlq) return dlq;
  throw new CliError(
    dlqs.length
      ? `${ref} is not a DLQ of this platform; the DLQs are: ${dlqs.map((d) => d.name).join(', ')}`
      : `${ref} is not a DLQ of this platform (no DLQ was found at all)`,
  );
}

/** Ctrl-C (and the injected signal in tests) become one AbortSignal; a second Ctrl-C quits at once. */
function stopOnInterrupt(ctx: DlqContext, what: string): { signal: AbortSignal; dispose: () => void } {
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

async function auditFor(target: ReturnType<typeof resolveTarget>, ctx: DlqContext): Promise<AuditLog> {
  return auditLog(await operatorApi(target, ctx.deps, 'ops'));
}

function briefMessage(message: DecodedMessage) {
  return {
    messageId: message.messageId,
    kind: message.kind,
    detailType: message.detailType ?? null,
    tenantId: message.tenantId ?? null,
    eventId: message.eventId ?? null,
    sentAt: message.sentAt ?? null,
  };
}

export function registerDlq(program: Command, ctx: DlqContext): void {
  const { out, err } = ctx;
  const dlq = program
    .command('dlq')
    .description('Inspect, replay and purge dead-letter queues (see docs/runbooks/dlq.md).');

  targetOptions(
    dlq.command('list').description('Every DLQ: its source queue and consumer, depth and oldest message.'),
  ).action(async (options: TargetFlags) => {
    const target = resolveTarget(options);
    const topology = topologyFor(target, ctx.deps);
    const { dlqs } = await discover(topology);
    const rows = await Promise.all(
      dlqs.map(async (d) => ({
        name: d.name,
        url: d.url,
        sourceQueue: d.sourceQueue,
        consumer: d.consumer,
        depth: d.depth,
        oldestAgeSeconds: d.depth + d.inFlight > 0 ? await topology.oldestAgeSeconds(d) : null,
        kind: d.kind,
        inFlight: d.inFlight,
        ...(d.maxReceiveCount !== undefined ? { maxReceiveCount: d.maxReceiveCount } : {}),
        ...(d.stream ? { stream: d.stream } : {}),
        sourceQueues: d.sourceQueues,
        consumers: d.consumers,
      })),
    );
    if (options.json) {
      out(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    if (rows.length === 0) {
      out('No DLQ found.\n');
      return;
    }
    out(
      formatTable(
        ['DLQ', 'KIND', 'SOURCE', 'CONSUMER', 'DEPTH', 'OLDEST'],
        rows.map((r) => [
          r.name,
          r.kind,
          r.sourceQueue ?? r.stream ?? '-',
          r.consumer ?? '-',
          String(r.depth),
          formatAge(r.oldestAgeSeconds),
        ]),
      ),
    );
    const waiting = rows.filter((r) => r.depth > 0);
    out(
      waiting.length
        ? `\n${waiting.reduce((n, r) => n + r.depth, 0)} message(s) waiting in ${waiting.length} DLQ(s): npx switchyard dlq peek <dlq>\n`
        : '\nEvery DLQ is empty.\n',
    );
  });

  targetOptions(
    dlq
      .command('peek <dlq>')
      .description('Show messages without consuming them (they stay in the DLQ, visible again at once).')
      .option('--limit <n>', 'how many messages at most (1-100)', positiveInt('--limit'), 10)
      .option('--body', 'also print each message body (may hold personal data)'),
  ).action(async (ref: string, options: TargetFlags & { limit: number; body?: boolean }) => {
    if (options.limit > 100) throw new CliError('--limit is at most 100');
    const target = resolveTarget(options);
    const topology = topologyFor(target, ctx.deps);
    const { dlqs } = await discover(topology);
    const info = requireDlq(ref, dlqs);
    const raw = await peekMessages({ port: sqsPort(topology.sqs), queueUrl: info.url, limit: options.limit });
    const decoded = raw.map((m) => ({ raw: m, decoded: decodeMessage(m) }));
    const lookup =
      info.kind === 'redrive'
        ? await lookupFailures(
            info.consumers,
            decoded.map((d) => d.decoded.messageId),
            topology,
          )
        : { failures: new Map(), notes: [] as string[] };
    const messages = decoded.map(({ raw: message, decoded: d }) => {
      const failure = lookup.failures.get(d.messageId);
      return {
        ...d,
        failure: failure
          ? {
              reason: failure.reason,
              kind: failure.kind,
              failures: failure.failures,
              firstFailedAt: failure.firstFailedAt,
              lastFailedAt: failure.lastFailedAt,
              functionName: failure.functionName ?? null,
            }
          : null,
        ...(options.body ? { body: parseBody(message.Body) } : {}),
      };
    });
    const notes = [...lookup.notes];
    if (info.kind === 'stream-failure')
      notes.push(
        'these are Lambda failure records of a stream batch, not messages: they name a shard and a range of sequence numbers to look at (see docs/runbooks/dlq.md)',
      );
    if (options.json) {
      out(
        `${JSON.stringify(
          {
            dlq: {
              name: info.name,
              kind: info.kind,
              sourceQueue: info.sourceQueue,
              consumer: info.consumer,
              depth: info.depth,
            },
            messages,
            notes,
          },
          null,
          2,
        )}\n`,
      );
      return;
    }
    out(
      `${info.name}: ${messages.length} of ~${info.depth} message(s) shown${info.consumer ? ` (consumer ${info.consumer})` : ''}; they stay in the DLQ.\n`,
    );
    messages.forEach((m, index) => out(`\n${formatPeeked(index + 1, m, options.body === true)}`));
    for (const note of notes) out(`\nNote: ${note}\n`);
  });

  targetOptions(
    dlq
      .command('replay <dlq>')
      .description('Move messages back to their source queue (or --to another), sending before deleting.')
      .option('--to <queue>', 'send to this queue (name, URL or ARN) instead of the source queue')
      .option(
        '--filter <key=value>',
        'select messages: detail-type=, source=, tenant=, after=, before= (ISO time or 30m/2h/1d ago), id= (repeatable)',
        collect,
      )
      .option('--dry-run', 'show what would move, move nothing')
      .option('--rate <n>', `messages per second at most (default ${DEFAULT_RATE})`, positiveNumber('--rate'))
      .option('--max <n>', 'move at most this many messages', positiveInt('--max'))
      .option('--no-move-task', "on AWS, never use SQS's StartMessageMoveTask (always message by message)"),
  ).action(
    async (
      ref: string,
      options: TargetFlags & {
        to?: string;
        filter?: string[];
        dryRun?: boolean;
        rate?: number;
        max?: number;
        moveTask: boolean;
      },
    ) => {
      let filter: ReplayFilter;
      try {
        filter = parseFilters(options.filter ?? []);
      } catch (error) {
        if (error instanceof FilterError) throw new CliError(error.message);
        throw error;
      }
      const rate = options.rate ?? DEFAULT_RATE;
      const target = resolveTarget(options);
      const topology = topologyFor(target, ctx.deps);
      const { dlqs, queues } = await discover(topology);
      const info = requireDlq(ref, dlqs);
      if (info.kind === 'stream-failure') {
        throw new CliError(
          `${info.name} holds Lambda's failure records for the stream ${info.stream ?? '?'} (consumer ${info.consumer ?? '?'}), not messages: there is nothing to send back. ` +
            'Peek to see which shard and sequence numbers failed, fix the consumer, and re-drive those records from their table (docs/runbooks/dlq.md, "Stream failure queues").',
        );
      }
      const destination = options.to
        ? findQueue(options.to, queues)
        : info.sourceQueues.length === 1
          ? findQueue(info.sourceQueues[0]!, queues)
          : undefined;
      if (!destination) {
        throw new CliError(
          options.to
            ? `no queue ${options.to} on this target`
            : `${info.name} receives from ${info.sourceQueues.length} queues (${info.sourceQueues.join(', ')}): say where with --to`,
        );
      }
      if (destination.arn === info.arn) throw new CliError('--to names the DLQ itself');

      const useMoveTask =
        target.kind === 'aws' &&
        options.moveTask &&
        !options.dryRun &&
        options.max === undefined &&
        isEmptyFilter(filter);
      const auditFilter = { ...filter, ...(options.max !== undefined ? { maxMessages: options.max } : {}) };

      // The audit record exists before anything moves; a replay that cannot be audited does not run.
      let audit: AuditLog | undefined;
      let record: DlqActionRecord | undefined;
      try {
        audit = await auditFor(target, ctx);
        record = await audit.start({
          action: 'replay',
          dlqName: info.name,
          targetQueue: destination.name,
          filter: auditFilter,
          dryRun: options.dryRun === true,
        });
      } catch (error) {
        if (!options.dryRun)
          throw new CliError(
            `cannot write the audit record, so nothing was moved: ${(error as Error).message} (the ops service keeps it: is it running/deployed?)`,
          );
        err(`switchyard: warning: this dry run is not audited: ${(error as Error).message}\n`);
        audit = undefined;
      }

      const started = Date.now();
      const stop = stopOnInterrupt(ctx, `what is not moved stays in ${info.name}`);
      const bar = progressBar(!options.json);
      let result: ReplayResult;
      let mode: 'per-message' | 'move-task' = 'per-message';
      try {
        if (useMoveTask) {
          mode = 'move-task';
          bar.start(info.depth);
          const task = await moveWithTask({
            sqs: topology.sqs,
            dlqArn: info.arn,
            ...(options.to ? { destinationArn: destination.arn } : {}),
            rate,
            stopSignal: stop.signal,
            onProgress: (moved) => bar.update(moved, { moved, skipped: 0, failed: 0 }),
          });
          const failed = task.status === 'FAILED' ? Math.max(0, task.toMove - task.moved) : 0;
          result = {
            examined: task.moved + failed,
            selected: task.toMove,
            moved: task.moved,
            skipped: 0,
            failed,
            returned: 0,
            movedIds: [],
            selectedMessages: [],
            failures: task.failureReason ? [{ messageId: '*', error: task.failureReason }] : [],
            sentNotDeleted: [],
            interrupted: task.interrupted,
          };
        } else {
          bar.start(info.depth);
          result = await replayMessages({
            port: sqsPort(topology.sqs),
            dlqUrl: info.url,
            targetUrl: destination.url,
            filter,
            dryRun: options.dryRun === true,
            rate,
            ...(options.max !== undefined ? { max: options.max } : {}),
            stopSignal: stop.signal,
            onProgress: (p) => bar.update(p.examined, p),
          });
        }
      } finally {
        bar.stop();
        stop.dispose();
      }
      const finishedAt = Date.now();

      let auditProblem: string | undefined;
      if (audit && record) {
        try {
          record = await audit.finish(record.actionId, {
            moved: options.dryRun ? 0 : result.moved,
            skipped: result.skipped,
            failed: result.failed,
            interrupted: result.interrupted,
            messageIds: result.movedIds,
          });
        } catch (error) {
          auditProblem = `the audit record ${record.actionId} could not be finished: ${(error as Error).message}`;
        }
      }

      const seconds = Math.max(0.001, (finishedAt - started) / 1000);
      const summary = {
        actionId: record?.actionId ?? null,
        dlq: info.name,
        target: destination.name,
        mode,
        dryRun: options.dryRun === true,
        filter: auditFilter,
        ratePerSecond: rate,
        examined: result.examined,
        selected: result.selected,
        moved: options.dryRun ? 0 : result.moved,
        skipped: result.skipped,
        failed: result.failed,
        returned: result.returned,
        sentNotDeleted: result.sentNotDeleted,
        interrupted: result.interrupted,
        durationSeconds: Number(seconds.toFixed(3)),
        failures: result.failures,
        ...(options.dryRun ? { selectedMessages: result.selectedMessages.map(briefMessage) } : {}),
        movedIds: options.dryRun ? [] : result.movedIds,
      };
      if (options.json) out(`${JSON.stringify(summary, null, 2)}\n`);
      else out(formatReplaySummary(summary, describeFilter(filter)));
      if (auditProblem) err(`switchyard: ${auditProblem}\n`);
      if (result.interrupted) throw new ExitStatus(130);
      if (result.failed > 0 || result.sentNotDeleted.length > 0 || auditProblem) throw new ExitStatus(1);
    },
  );

  targetOptions(
    dlq
      .command('purge <dlq>')
      .description('Delete every message of a DLQ for good, after writing them to a backup file.')
      .option('--yes', 'yes, delete them (required)')
      .option(
        '--backup <file>',
        'where the backup goes (default .switchyard/dlq-backups/<dlq>-<time>.jsonl)',
      ),
  ).action(
    async (ref: string, options: TargetFlags & { yes?: boolean; backup?: string }, command: Command) => {
      if (!options.yes) {
        command.error(
          `switchyard: purge deletes every message of ${ref} for good (after writing a backup): add --yes to go ahead`,
          { exitCode: 2, code: 'switchyard.confirm' },
        );
      }
      const target = resolveTarget(options);
      const topology = topologyFor(target, ctx.deps);
      const { dlqs } = await discover(topology);
      const info = requireDlq(ref, dlqs);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const backupFile = resolve(
        options.backup ??
          join(
            ctx.deps.backupDir ?? join(findRepoRoot() ?? process.cwd(), '.switchyard', 'dlq-backups'),
            `${info.name}-${stamp}.jsonl`,
          ),
      );
      let audit: AuditLog;
      let record: DlqActionRecord;
      try {
        audit = await auditFor(target, ctx);
        record = await audit.start({ action: 'purge', dlqName: info.name, filter: {}, dryRun: false });
      } catch (error) {
        throw new CliError(
          `cannot write the audit record, so nothing was purged: ${(error as Error).message} (the ops service keeps it: is it running/deployed?)`,
        );
      }
      mkdirSync(dirname(backupFile), { recursive: true });
      // 'wx': never overwrite an earlier backup.
      const fd = openSync(backupFile, 'wx', 0o600);
      const stop = stopOnInterrupt(ctx, `what is not purged stays in ${info.name}`);
      let result;
      try {
        result = await purgeMessages({
          port: sqsPort(topology.sqs),
          dlqUrl: info.url,
          stopSignal: stop.signal,
          backup: async (messages: SqsMessageLike[]) => {
            const lines = messages
              .map((m) =>
                JSON.stringify({
                  dlq: info.name,
                  messageId: m.MessageId,
                  body: m.Body,
                  attributes: m.Attributes ?? {},
                  messageAttributes: m.MessageAttributes ?? {},
                  backedUpAt: new Date().toISOString(),
                }),
              )
              .join('\n');
            writeSync(fd, `${lines}\n`);
            fsyncSync(fd);
          },
        });
      } finally {
        closeSync(fd);
        stop.dispose();
      }
      let auditProblem: string | undefined;
      try {
        await audit.finish(record.actionId, {
          moved: result.purged,
          skipped: 0,
          failed: result.failed,
          interrupted: result.interrupted,
          messageIds: result.purgedIds,
          backupFile,
        });
      } catch (error) {
        auditProblem = `the audit record ${record.actionId} could not be finished: ${(error as Error).message}`;
      }
      const summary = {
        actionId: record.actionId,
        dlq: info.name,
        purged: result.purged,
        failed: result.failed,
        interrupted: result.interrupted,
        backupFile,
      };
      if (options.json) out(`${JSON.stringify(summary, null, 2)}\n`);
      else
        out(
          `${result.interrupted ? 'Stopped by Ctrl-C: ' : ''}Purged ${result.purged} message(s) from ${info.name}${result.failed ? ` (${result.failed} could not be deleted and stay)` : ''}.\nBackup (one JSON line per message, written before deleting): ${backupFile}\nAudit: ${record.actionId}\n`,
        );
      if (auditProblem) err(`switchyard: ${auditProblem}\n`);
      if (result.interrupted) throw new ExitStatus(130);
      if (result.failed > 0 || auditProblem) throw new ExitStatus(1);
    },
  );

  targetOptions(
    dlq
      .command('history <dlq>')
      .description('The audit trail of replays and purges of one DLQ, newest first.')
      .option('--limit <n>', 'how many records (1-100)', positiveInt('--limit'), 20),
  ).action(async (ref: string, options: TargetFlags & { limit: number }) => {
    const target = resolveTarget(options);
    const name = ref.includes('/') || ref.includes(':') ? (ref.split(/[/:]/).pop() ?? ref) : ref;
    const items = await (await auditFor(target, ctx)).list(name, Math.min(100, options.limit));
    if (options.json) {
      out(`${JSON.stringify(items, null, 2)}\n`);
      return;
    }
    if (items.length === 0) {
      out(`No replay or purge of ${name} on record.\n`);
      return;
    }
    out(
      formatTable(
        ['STARTED', 'ACTION', 'BY', 'TO', 'FILTER', 'MOVED', 'SKIPPED', 'FAILED', 'STATUS'],
        items.map((item) => [
          item.startedAt,
          `${item.action}${item.dryRun ? ' (dry run)' : ''}`,
          item.actor,
          item.targetQueue ?? '-',
          describeFilter(item.filter ?? {}),
          String(item.moved ?? '-'),
          String(item.skipped ?? '-'),
          String(item.failed ?? '-'),
          item.status === 'finished'
            ? item.interrupted
              ? 'interrupted'
              : 'finished'
            : 'started (not finished)',
        ]),
      ),
    );
  });
}

function parseBody(body: string | undefined): unknown {
  try {
    return JSON.parse(body ?? '');
  } catch {
    return body ?? null;
  }
}

function ago(iso: string | undefined): string {
  if (!iso) return '';
  return ` (${formatAge(Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000)))} ago)`;
}

function formatPeeked(
  index: number,
  m: DecodedMessage & {
    failure: { reason: string; failures: number; lastFailedAt: string } | null;
    body?: unknown;
  },
  withBody: boolean,
): string {
  const lines: string[] = [];
  if (m.kind === 'stream-failure' && m.stream) {
    const s = m.stream;
    lines.push(`${index}. ${m.messageId}  stream batch failure (${s.condition ?? 'failed'})`);
    lines.push(`   ${s.batchSize ?? '?'} record(s) of ${s.streamArn ?? '?'}, shard ${s.shardId ?? '?'}`);
    lines.push(`   sequence numbers ${s.startSequenceNumber ?? '?'} .. ${s.endSequenceNumber ?? '?'}`);
    lines.push(
      `   records from ${s.firstRecordAt ?? '?'} to ${s.lastRecordAt ?? '?'}; ${s.approximateInvokeCount ?? '?'} attempt(s) by ${s.functionArn ?? '?'}${s.functionError ? ` (${s.functionError})` : ''}`,
    );
  } else {
    const name = m.detailType
      ? `${m.detailType} (${m.source ?? '?'} v${m.version ?? '?'})`
      : 'unknown message';
    lines.push(`${index}. ${m.messageId}  ${name}`);
    lines.push(
      `   tenant ${m.tenantId ?? '-'}  event id ${m.eventId ?? '-'}  correlation ${m.correlationId ?? '-'}`,
    );
  }
  lines.push(`   sent ${m.sentAt ?? '?'}${ago(m.sentAt)}, received ${m.receiveCount ?? '?'} time(s)`);
  if (m.problem) lines.push(`   ${m.problem}`);
  if (m.failure)
    lines.push(
      `   failed: ${m.failure.reason} (${m.failure.failures} failure(s), last ${m.failure.lastFailedAt})`,
    );
  else if (m.kind !== 'stream-failure') lines.push('   failed: no reason recorded');
  if (withBody) lines.push(`   body: ${JSON.stringify(m.body)}`);
  return `${lines.join('\n')}\n`;
}

function formatReplaySummary(
  s: {
    actionId: string | null;
    dlq: string;
    target: string;
    mode: string;
    dryRun: boolean;
    selected: number;
    moved: number;
    skipped: number;
    failed: number;
    returned: number;
    sentNotDeleted: string[];
    interrupted: boolean;
    durationSeconds: number;
    failures: { messageId: string; error: string }[];
    selectedMessages?: ReturnType<typeof briefMessage>[];
  },
  filter: string,
): string {
  const lines: string[] = [];
  if (s.dryRun) {
    lines.push(
      `Dry run: ${s.selected} message(s) of ${s.dlq} match ${filter} and would go to ${s.target}; ${s.skipped} do not match. Nothing was moved.`,
    );
    const shown = (s.selectedMessages ?? []).slice(0, 20);
    if (shown.length) {
      lines.push(
        '',
        formatTable(
          ['MESSAGE', 'DETAIL-TYPE', 'TENANT', 'EVENT ID', 'SENT'],
          shown.map((m) => [
            m.messageId,
            m.detailType ?? '-',
            m.tenantId ?? '-',
            m.eventId ?? '-',
            m.sentAt ?? '-',
          ]),
        ).trimEnd(),
      );
      if ((s.selectedMessages ?? []).length > shown.length)
        lines.push(
          `... and ${(s.selectedMessages ?? []).length - shown.length} more (--json lists them all)`,
        );
    }
  } else {
    const rate = s.durationSeconds > 0 ? (s.moved / s.durationSeconds).toFixed(1) : '-';
    lines.push(
      `${s.interrupted ? 'Stopped by Ctrl-C: moved' : 'Moved'} ${s.moved} message(s) from ${s.dlq} to ${s.target} in ${s.durationSeconds.toFixed(1)} s (${rate}/s)${s.mode === 'move-task' ? " by SQS's message move task" : ''}.`,
    );
    if (s.skipped) lines.push(`${s.skipped} message(s) do not match ${filter} and stay in ${s.dlq}.`);
    if (s.interrupted)
      lines.push(`Everything not moved is still in ${s.dlq}, visible again: nothing was lost or doubled.`);
    if (s.failed) lines.push(`${s.failed} message(s) could not be sent and stay in ${s.dlq}.`);
    if (s.returned)
      lines.push(
        `${s.returned} replayed message(s) failed again and are back in ${s.dlq} (not sent twice): the consumer still refuses them; peek before replaying again.`,
      );
    if (s.sentNotDeleted.length)
      lines.push(
        `${s.sentNotDeleted.length} message(s) were sent but could not be deleted, so they are in both queues (consumers drop the repeat): ${s.sentNotDeleted.join(', ')}`,
      );
    for (const failure of s.failures.slice(0, 10)) lines.push(`  ${failure.messageId}: ${failure.error}`);
  }
  lines.push(s.actionId ? `Audit: ${s.actionId} (DlqReplayed published)` : 'Audit: none (dry run)');
  return `${lines.join('\n')}\n`;
}
