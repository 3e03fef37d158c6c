/**
 * `switchyard dlq purge <dlq> --yes`: deletes every message of a DLQ for good, each batch after it is
 * written to a backup file (JSON lines, fsync; an existing file is never overwritten), audited.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findRepoRoot } from '@switchyard/local-cloud/src/repo-root';
import type { Command } from 'commander';
import { targetOptions } from '../../api';
import type { SqsMessageLike } from '../../dlq/decode';
import { purgeMessages } from '../../dlq/engine';
import { sqsPort } from '../../dlq/sqs-port';
import { discoverDlq, exitAfterSummary, finishAudit, startAudit, stopOnInterrupt } from './common';
import type { DlqContext, TargetFlags } from './common';

export function registerPurge(dlq: Command, ctx: DlqContext): void {
  const { out } = ctx;
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
      const { target, topology, info } = await discoverDlq(ref, options, ctx);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const backupFile = resolve(
        options.backup ??
          join(
            ctx.deps.backupDir ?? join(findRepoRoot() ?? process.cwd(), '.switchyard', 'dlq-backups'),
            `${info.name}-${stamp}.jsonl`,
          ),
      );
      const audited = await startAudit(
        target,
        ctx,
        { action: 'purge', dlqName: info.name, filter: {}, dryRun: false },
        'purged',
      );
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
      const auditProblem = await finishAudit(audited, {
        moved: result.purged,
        skipped: 0,
        failed: result.failed,
        interrupted: result.interrupted,
        messageIds: result.purgedIds,
        backupFile,
      });
      const summary = {
        actionId: audited.record.actionId,
        dlq: info.name,
        purged: result.purged,
        failed: result.failed,
        interrupted: result.interrupted,
        backupFile,
      };
      if (options.json) out(`${JSON.stringify(summary, null, 2)}\n`);
      else
        out(
          `${result.interrupted ? 'Stopped by Ctrl-C: ' : ''}Purged ${result.purged} message(s) from ${info.name}${result.failed ? ` (${result.failed} could not be deleted and stay)` : ''}.\nBackup (one JSON line per message, written before deleting): ${backupFile}\nAudit: ${audited.record.actionId}\n`,
        );
      exitAfterSummary(ctx, { interrupted: result.interrupted, failed: result.failed > 0, auditProblem });
    },
  );
}
