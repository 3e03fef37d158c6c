/**
 * `switchyard dlq replay <dlq>`: moves messages back to their source queue (or --to another), sending
 * each before deleting it, at --rate, audited in ops before anything moves; Ctrl-C stops after the
 * message in flight. On AWS a replay of everything goes through SQS's StartMessageMoveTask.
 */
import type { Command } from 'commander';
import { formatTable, targetOptions } from '../../api';
import type { DecodedMessage } from '../../dlq/decode';
import { findQueue } from '../../dlq/discovery';
import { replayMessages } from '../../dlq/engine';
import type { ReplayResult } from '../../dlq/engine';
import { FilterError, describeFilter, isEmptyFilter, parseFilters } from '../../dlq/filter';
import type { ReplayFilter } from '../../dlq/filter';
import { moveWithTask } from '../../dlq/move-task';
import { progressBar } from '../../dlq/progress';
import { sqsPort } from '../../dlq/sqs-port';
import { CliError } from '../../exit';
import {
  collect,
  discoverDlq,
  exitAfterSummary,
  finishAudit,
  positiveInt,
  positiveNumber,
  startAudit,
  stopOnInterrupt,
} from './common';
import type { DlqContext, TargetFlags } from './common';

export const DEFAULT_RATE = 10;

export function registerReplay(dlq: Command, ctx: DlqContext): void {
  const { out } = ctx;
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
      const { target, topology, info, queues } = await discoverDlq(ref, options, ctx);
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
      const audited = await startAudit(
        target,
        ctx,
        {
          action: 'replay',
          dlqName: info.name,
          targetQueue: destination.name,
          filter: auditFilter,
          dryRun: options.dryRun === true,
        },
        'moved',
      );

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

      const auditProblem = audited
        ? await finishAudit(audited, {
            moved: options.dryRun ? 0 : result.moved,
            skipped: result.skipped,
            failed: result.failed,
            interrupted: result.interrupted,
            messageIds: result.movedIds,
          })
        : undefined;

      const seconds = Math.max(0.001, (finishedAt - started) / 1000);
      const summary = {
        actionId: audited?.record.actionId ?? null,
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
      exitAfterSummary(ctx, {
        interrupted: result.interrupted,
        failed: result.failed > 0 || result.sentNotDeleted.length > 0,
        auditProblem,
      });
    },
  );
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
