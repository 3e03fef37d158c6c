/** `switchyard dlq list`: every DLQ, its kind, source queue and consumer, depth and oldest message. */
import type { Command } from 'commander';
import { formatTable, targetOptions } from '../../api';
import { discover, formatAge } from './common';
import type { DlqContext, TargetFlags } from './common';

export function registerList(dlq: Command, ctx: DlqContext): void {
  const { out } = ctx;
  targetOptions(
    dlq.command('list').description('Every DLQ: its source queue and consumer, depth and oldest message.'),
  ).action(async (options: TargetFlags) => {
    const { topology, dlqs } = await discover(options, ctx);
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
}
