/**
 * Replaying a window of the bus's archive (EventBridge's own feature), the same calls on AWS and on
 * the local cloud: find the archive and the rules to replay to, record the replay in ops' audit
 * trail, StartReplay, poll DescribeReplay until it ends, finish the record. Consumers' idempotency
 * makes the repeat harmless; each replayed event carries `replay-name`.
 */
import { randomBytes } from 'node:crypto';
import {
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListRulesCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import type { Rule } from '@aws-sdk/client-eventbridge';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { BusReplayOutcome, BusReplayRecord } from '@switchyard/contracts';
import type { OperatorApi } from '../api';
import { LOCAL_CREDENTIALS } from '../api';
import { CliError } from '../exit';
import type { Target } from '../target';

export const busNameOf = (stage: string) => `switchyard-${stage}-bus`;

export function eventBridgeFor(target: Target): EventBridgeClient {
  if (target.kind === 'local') {
    const endpoint = target.info.endpoints.events;
    if (!endpoint) throw new CliError('the local cloud does not say where its bus listens (restart it)');
    return new EventBridgeClient({ region: target.region, endpoint, credentials: LOCAL_CREDENTIALS });
  }
  return new EventBridgeClient({ region: target.region, credentials: fromNodeProviderChain() });
}

/** `2025-03-14T09:00:00Z`, `now`, or a duration ago: `90m`, `1h`, `2d`. */
export function parseTime(value: string, now: Date): Date {
  if (value === 'now') return now;
  const ago = /^(\d+)([smhd])$/.exec(value);
  if (ago) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(ago[1]) * unit);
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw new CliError(`${value} is not a time (ISO 8601, "now", or e.g. 1h for an hour ago)`);
  return new Date(ms);
}

/** The detail-types a rule's pattern names (none when it names none: it matches any). */
export function patternDetailTypes(pattern: string | undefined): string[] | undefined {
  if (!pattern) return undefined;
  const collect = (node: unknown): string[] | undefined => {
    if (!node || typeof node !== 'object') return undefined;
    const record = node as Record<string, unknown>;
    const direct = record['detail-type'];
    const found: string[] = [];
    if (Array.isArray(direct)) found.push(...direct.filter((v): v is string => typeof v === 'string'));
    if (Array.isArray(record.$or)) for (const branch of record.$or) found.push(...(collect(branch) ?? []));
    return found.length || Array.isArray(direct) ? found : undefined;
  };
  try {
    return collect(JSON.parse(pattern));
  } catch {
    return undefined;
  }
}

/**
 * The rules a replay goes to: those named (`--rule`), and of those (or of all the bus's pattern
 * rules) the ones whose pattern names the detail-type (`--detail-type`). EventBridge replays to
 * rules, not by detail-type: a chosen rule gets every archived event of the window it matches.
 */
export function chooseRules(rules: Rule[], names: string[], detailType: string | undefined): Rule[] {
  const unknown = names.filter((name) => !rules.some((rule) => rule.Name === name));
  if (unknown.length) throw new CliError(`no such rule on the bus: ${unknown.join(', ')}`);
  let chosen = names.length ? rules.filter((rule) => names.includes(rule.Name ?? '')) : rules;
  chosen = chosen.filter((rule) => rule.EventPattern);
  if (detailType)
    chosen = chosen.filter((rule) => patternDetailTypes(rule.EventPattern)?.includes(detailType));
  if ((names.length || detailType) && chosen.length === 0)
    throw new CliError('no rule on the bus matches what was asked for, so nothing would be replayed');
  return chosen;
}

async function allRules(client: EventBridgeClient, busName: string): Promise<Rule[]> {
  const rules: Rule[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListRulesCommand({ EventBusName: busName, NextToken: token }));
    rules.push(...(page.Rules ?? []));
    token = page.NextToken;
  } while (token);
  return rules;
}

export interface ReplayRequest {
  since: Date;
  until: Date;
  detailType?: string;
  rules: string[];
  dryRun: boolean;
}

export interface ReplayOutcome {
  busName: string;
  archiveName: string;
  since: string;
  until: string;
  rules: string[];
  dryRun: boolean;
  outcome: BusReplayOutcome;
  replayName?: string;
  stateReason?: string;
  archivedEvents?: number;
  replayId?: string;
  auditProblem?: string;
}

export interface ReplayDeps {
  eventBridge: EventBridgeClient;
  audit?: OperatorApi;
  /** Pause between DescribeReplay polls (AWS replays take minutes; the local one, moments). */
  pollMs?: number;
  /** Longest wait for the replay to end before reporting it still running. */
  timeoutMs?: number;
  now?: () => Date;
  progress?: (state: string) => void;
}

export async function replayBus(
  stage: string,
  request: ReplayRequest,
  deps: ReplayDeps,
): Promise<ReplayOutcome> {
  const { eventBridge } = deps;
  if (!(request.since < request.until)) throw new CliError('--since must be before --until');
  const busName = busNameOf(stage);
  const archiveName = busName;
  const bus = await eventBridge.send(new DescribeEventBusCommand({ Name: busName }));
  const archive = await eventBridge
    .send(new DescribeArchiveCommand({ ArchiveName: archiveName }))
    .catch((error: Error) => {
      throw new CliError(`the bus has no archive ${archiveName} (${error.name}); is the platform deployed?`);
    });
  const rules = chooseRules(await allRules(eventBridge, busName), request.rules, request.detailType);
  const base: ReplayOutcome = {
    busName,
    archiveName,
    since: request.since.toISOString(),
    until: request.until.toISOString(),
    rules: rules.map((rule) => rule.Name ?? ''),
    dryRun: request.dryRun,
    outcome: 'DRY_RUN',
    ...(archive.EventCount === undefined ? {} : { archivedEvents: Number(archive.EventCount) }),
  };
  const everyRule = !request.rules.length && !request.detailType;

  let record: BusReplayRecord | undefined;
  try {
    record = await deps.audit?.request<BusReplayRecord>('POST', '/operator/bus-replays', {
      body: {
        busName,
        archiveName,
        since: base.since,
        until: base.until,
        ...(request.detailType ? { detailType: request.detailType } : {}),
        rules: everyRule ? [] : base.rules,
        dryRun: request.dryRun,
      },
    });
  } catch (error) {
    if (!request.dryRun)
      throw new CliError(
        `cannot write the audit record, so nothing was replayed: ${(error as Error).message} (the ops service keeps it: is it running/deployed?)`,
      );
  }
  if (!deps.audit && !request.dryRun)
    throw new CliError('a replay needs its audit record, and there is no audit trail');

  let outcome: ReplayOutcome = { ...base, ...(record ? { replayId: record.replayId } : {}) };
  if (!request.dryRun) {
    const now = deps.now?.() ?? new Date();
    const replayName = `switchyard-${now.toISOString().replace(/[-:]|\.\d+/g, '')}-${randomBytes(3).toString('hex')}`;
    await eventBridge.send(
      new StartReplayCommand({
        ReplayName: replayName,
        Description: `switchyard bus replay ${base.since}..${base.until}`,
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: request.since,
        EventEndTime: request.until,
        Destination: {
          Arn: bus.Arn,
          ...(everyRule ? {} : { FilterArns: rules.map((rule) => rule.Arn ?? '') }),
        },
      }),
    );
    const ended = await waitForReplay(eventBridge, replayName, deps);
    outcome = {
      ...outcome,
      replayName,
      outcome: ended.state,
      ...(ended.reason ? { stateReason: ended.reason } : {}),
    };
  }
  if (record && deps.audit) {
    try {
      await deps.audit.request(
        'POST',
        `/operator/bus-replays/${encodeURIComponent(record.replayId)}/finish`,
        {
          body: {
            outcome: outcome.outcome,
            ...(outcome.replayName ? { replayName: outcome.replayName } : {}),
          },
        },
      );
    } catch (error) {
      outcome.auditProblem = `the audit record ${record.replayId} could not be finished: ${(error as Error).message}`;
    }
  }
  return outcome;
}

async function waitForReplay(
  client: EventBridgeClient,
  name: string,
  deps: ReplayDeps,
): Promise<{ state: BusReplayOutcome; reason?: string }> {
  const deadline = Date.now() + (deps.timeoutMs ?? 60 * 60_000);
  for (;;) {
    const replay = await client.send(new DescribeReplayCommand({ ReplayName: name }));
    const state = replay.State ?? 'STARTING';
    deps.progress?.(state);
    if (state === 'COMPLETED' || state === 'FAILED' || state === 'CANCELLED')
      return { state, ...(replay.StateReason ? { reason: replay.StateReason } : {}) };
    if (Date.now() > deadline)
      throw new CliError(
        `replay ${name} is still ${state}; follow it with DescribeReplay (it was not audited as finished)`,
      );
    await new Promise((resolve) => setTimeout(resolve, deps.pollMs ?? 2_000));
  }
}
