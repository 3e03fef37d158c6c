/** `switchyard dlq history <dlq>`: the audit trail of replays and purges of one DLQ, newest first. */
import type { Command } from 'commander';
import { formatTable, targetOptions } from '../../api';
import { describeFilter } from '../../dlq/filter';
import { resolveTarget } from '../../target';
import { auditFor, positiveInt } from './common';
import type { DlqContext, TargetFlags } from './common';

export function registerHistory(dlq: Command, ctx: DlqContext): void {
  const { out } = ctx;
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
