/**
 * `switchyard bus replay`: sends a window of the bus's archive through the bus again (all rules, or
 * those `--rule`/`--detail-type` choose), audited by ops like a DLQ replay; `switchyard bus history`
 * reads that audit trail. See docs/runbooks/bus-replay.md.
 */
import type { Command } from 'commander';
import type { BusReplayRecord } from '@switchyard/contracts';
import type { ApiDeps } from '../api';
import { formatTable, operatorApi, targetOptions } from '../api';
import { busNameOf, eventBridgeFor, parseTime, replayBus } from '../bus/replay';
import type { ReplayDeps } from '../bus/replay';
import { ExitStatus } from '../exit';
import { resolveTarget } from '../target';
import { collect, positiveInt } from './dlq/common';

interface ReplayFlags {
  stage?: string;
  region?: string;
  json?: boolean;
  since: string;
  until: string;
  detailType?: string;
  rule: string[];
  dryRun?: boolean;
}

export interface BusDeps extends ApiDeps {
  replay?: Partial<ReplayDeps>;
}

export function registerBus(
  program: Command,
  ctx: { out: (text: string) => void; err: (text: string) => void; deps: BusDeps },
): void {
  const bus = program.command('bus').description("The platform's bus: replay its archive.");
  targetOptions(
    bus
      .command('replay')
      .description("Replay the bus archive's events of a time window to the bus's rules (audited).")
      .requiredOption('--since <time>', 'start of the window: ISO 8601, or a duration ago (1h, 90m, 2d)')
      .option('--until <time>', 'end of the window (exclusive): ISO 8601, a duration ago, or now', 'now')
      .option('--detail-type <type>', 'only to the rules whose pattern names this detail-type')
      .option('--rule <name>', 'only to this rule (repeatable)', collect, [])
      .option('--dry-run', 'say what would be replayed, replay nothing (audited as a dry run)'),
  ).action(async (options: ReplayFlags) => {
    const target = resolveTarget(options);
    const now = new Date();
    const result = await replayBus(
      target.stage,
      {
        since: parseTime(options.since, now),
        until: parseTime(options.until, now),
        ...(options.detailType ? { detailType: options.detailType } : {}),
        rules: options.rule,
        dryRun: options.dryRun ?? false,
      },
      {
        eventBridge: eventBridgeFor(target),
        audit: await operatorApi(target, ctx.deps),
        ...(options.json ? {} : { progress: (state) => ctx.err(`replay: ${state}\n`) }),
        ...ctx.deps.replay,
      },
    );
    if (options.json) ctx.out(`${JSON.stringify(result, null, 2)}\n`);
    else
      ctx.out(
        [
          `${result.dryRun ? 'Would replay' : 'Replayed'} ${result.since} .. ${result.until} from archive ${result.archiveName}` +
            (result.archivedEvents === undefined ? '' : ` (${result.archivedEvents} events archived in all)`),
          `Rules     ${result.rules.join(', ') || '(none)'}`,
          `Outcome   ${result.outcome}${result.replayName ? ` (replay ${result.replayName})` : ''}${result.stateReason ? `: ${result.stateReason}` : ''}`,
          `Audit     ${result.replayId ?? 'not recorded'}`,
          '',
        ].join('\n'),
      );
    if (result.auditProblem) ctx.err(`switchyard: ${result.auditProblem}\n`);
    if (result.outcome === 'FAILED' || result.outcome === 'CANCELLED' || result.auditProblem)
      throw new ExitStatus(1);
  });
  targetOptions(
    bus
      .command('history')
      .description("The audit trail of the bus's replays and dry runs, newest first.")
      .option('--limit <n>', 'how many records (1-100)', positiveInt('--limit'), 20),
  ).action(async (options: { stage?: string; region?: string; json?: boolean; limit: number }) => {
    const target = resolveTarget(options);
    const busName = busNameOf(target.stage);
    const { items } = await (
      await operatorApi(target, ctx.deps)
    ).request<{ items: BusReplayRecord[] }>('GET', '/operator/bus-replays', {
      query: { bus: busName, limit: String(Math.min(100, options.limit)) },
    });
    if (options.json) return ctx.out(`${JSON.stringify(items, null, 2)}\n`);
    if (items.length === 0) return ctx.out(`No replay of ${busName} on record.\n`);
    ctx.out(
      formatTable(
        ['STARTED', 'BY', 'SINCE', 'UNTIL', 'RULES', 'OUTCOME', 'REPLAY', 'AUDIT'],
        items.map((item) => [
          item.startedAt,
          item.actor,
          item.since,
          item.until,
          item.rules.join(',') || '(all)',
          item.status === 'finished' ? (item.outcome ?? '-') : 'started (not finished)',
          item.replayName ?? '-',
          item.replayId,
        ]),
      ),
    );
  });
}
