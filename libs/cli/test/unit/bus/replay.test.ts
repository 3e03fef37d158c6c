import {
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListRulesCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import type { Rule } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { OperatorApi } from '../../../src/api';
import { chooseRules, parseTime, patternDetailTypes, replayBus } from '../../../src/bus/replay';

const NOW = new Date('2025-03-14T12:00:00.000Z');
const BUS_ARN = 'arn:aws:events:eu-west-1:123456789012:event-bus/switchyard-prod-bus';
const rule = (name: string, pattern?: object): Rule => ({
  Name: name,
  Arn: `arn:aws:events:eu-west-1:123456789012:rule/switchyard-prod-bus/${name}`,
  ...(pattern ? { EventPattern: JSON.stringify(pattern) } : {}),
});
const RULES = [
  rule('delivery-prod-event-received', { source: ['switchyard.ingest'], 'detail-type': ['EventReceived'] }),
  rule('delivery-prod-api-key-projection', {
    source: ['switchyard.identity'],
    'detail-type': ['ApiKeyCreated', 'ApiKeyRevoked'],
  }),
  rule('ops-prod-nightly'),
];

describe('parseTime', () => {
  it('reads ISO times, now, and ages', () => {
    expect(parseTime('now', NOW)).toEqual(NOW);
    expect(parseTime('90m', NOW).toISOString()).toBe('2025-03-14T10:30:00.000Z');
    expect(parseTime('2d', NOW).toISOString()).toBe('2025-03-12T12:00:00.000Z');
    expect(parseTime('2025-03-14T09:00:00Z', NOW).toISOString()).toBe('2025-03-14T09:00:00.000Z');
  });

  it('refuses what is no time', () => {
    expect(() => parseTime('yesterday', NOW)).toThrow(/is not a time/);
    expect(() => parseTime('5w', NOW)).toThrow(/is not a time/);
  });
});

describe('patternDetailTypes', () => {
  it('names the detail-types of a pattern, through $or, and none for a pattern without them', () => {
    expect(patternDetailTypes(RULES[1]!.EventPattern)).toEqual(['ApiKeyCreated', 'ApiKeyRevoked']);
    expect(
      patternDetailTypes(JSON.stringify({ $or: [{ 'detail-type': ['A'] }, { 'detail-type': ['B'] }] })),
    ).toEqual(['A', 'B']);
    expect(patternDetailTypes(JSON.stringify({ source: ['x'] }))).toBeUndefined();
    expect(patternDetailTypes('not json')).toBeUndefined();
  });
});

describe('chooseRules', () => {
  it('keeps the pattern rules, those named, and of those the ones naming the detail-type', () => {
    expect(chooseRules(RULES, [], undefined).map((r) => r.Name)).toEqual([
      'delivery-prod-event-received',
      'delivery-prod-api-key-projection',
    ]);
    expect(chooseRules(RULES, [], 'ApiKeyRevoked').map((r) => r.Name)).toEqual([
      'delivery-prod-api-key-projection',
    ]);
    expect(chooseRules(RULES, ['delivery-prod-event-received'], undefined).map((r) => r.Name)).toEqual([
      'delivery-prod-event-received',
    ]);
  });

  it('refuses an unknown rule, and a choice that leaves no rule', () => {
    expect(() => chooseRules(RULES, ['nope', 'delivery-prod-event-received'], undefined)).toThrow(
      'no such rule on the bus: nope',
    );
    expect(() => chooseRules(RULES, ['delivery-prod-event-received'], 'ApiKeyCreated')).toThrow(
      /no rule on the bus matches/,
    );
  });
});

describe('replayBus (AWS calls)', () => {
  const events = mockClient(EventBridgeClient);
  let calls: { method: string; path: string; body: unknown }[];
  const audit = {
    request: async (method: string, path: string, options: { body?: unknown } = {}) => {
      calls.push({ method, path, body: options.body });
      return path.endsWith('/finish') ? {} : { replayId: 'busr_1' };
    },
  } as unknown as OperatorApi;

  beforeEach(() => {
    events.reset();
    calls = [];
    events.on(DescribeEventBusCommand).resolves({ Name: 'switchyard-prod-bus', Arn: BUS_ARN });
    events.on(DescribeArchiveCommand).resolves({
      ArchiveName: 'switchyard-prod-bus',
      ArchiveArn: 'arn:aws:events:eu-west-1:123456789012:archive/switchyard-prod-bus',
      EventCount: 42,
    });
    events.on(ListRulesCommand).resolves({ Rules: RULES });
    events.on(StartReplayCommand).resolves({ State: 'STARTING' });
    events.on(DescribeReplayCommand).resolvesOnce({ State: 'RUNNING' }).resolves({ State: 'COMPLETED' });
  });

  const request = {
    since: new Date('2025-03-14T09:00:00Z'),
    until: new Date('2025-03-14T11:00:00Z'),
    detailType: 'EventReceived',
    rules: [],
    dryRun: false,
  };

  it('records, starts the replay on the chosen rules only, waits for it and finishes the record', async () => {
    const outcome = await replayBus('prod', request, {
      eventBridge: new EventBridgeClient({ region: 'eu-west-1' }),
      audit,
      pollMs: 1,
      now: () => NOW,
    });
    expect(outcome).toMatchObject({
      outcome: 'COMPLETED',
      archivedEvents: 42,
      rules: ['delivery-prod-event-received'],
      replayId: 'busr_1',
    });
    expect(outcome.replayName).toMatch(/^switchyard-20250314T120000Z-[0-9a-f]{6}$/);
    const start = events.commandCalls(StartReplayCommand)[0]!.args[0].input;
    expect(start).toMatchObject({
      ReplayName: outcome.replayName,
      EventStartTime: request.since,
      EventEndTime: request.until,
      Destination: { Arn: BUS_ARN, FilterArns: [RULES[0]!.Arn] },
    });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /operator/bus-replays',
      'POST /operator/bus-replays/busr_1/finish',
    ]);
    expect(calls[0]!.body).toMatchObject({ rules: ['delivery-prod-event-received'], dryRun: false });
    expect(calls[1]!.body).toEqual({ outcome: 'COMPLETED', replayName: outcome.replayName });
  });

  it('a dry run starts nothing; without an audit trail a replay is refused before it starts', async () => {
    const deps = { eventBridge: new EventBridgeClient({ region: 'eu-west-1' }), pollMs: 1 };
    const dry = await replayBus('prod', { ...request, dryRun: true }, { ...deps, audit });
    expect(dry.outcome).toBe('DRY_RUN');
    expect(events.commandCalls(StartReplayCommand)).toHaveLength(0);

    const failing = {
      request: async () => {
        throw new Error('ops is down');
      },
    } as unknown as OperatorApi;
    await expect(replayBus('prod', request, { ...deps, audit: failing })).rejects.toThrow(
      /cannot write the audit record, so nothing was replayed/,
    );
    await expect(replayBus('prod', request, deps)).rejects.toThrow(/needs its audit record/);
    await expect(replayBus('prod', { ...request, since: request.until }, { ...deps, audit })).rejects.toThrow(
      '--since must be before --until',
    );
    expect(events.commandCalls(StartReplayCommand)).toHaveLength(0);
  });
});
