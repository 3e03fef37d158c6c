import { ManualClock, nextFireTime, parseSchedule } from '../../../src/eventbridge/schedule';

const at = (iso: string): number => Date.parse(iso);
const next = (expression: string, after: string): string | undefined => {
  const time = nextFireTime(parseSchedule(expression), at(after));
  return time === undefined ? undefined : new Date(time).toISOString();
};

describe('rate expressions', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 day)', 86_400_000],
    ['rate(7 days)', 604_800_000],
  ])('%s fires every %i ms from creation', (expression, period) => {
    const schedule = parseSchedule(expression);
    expect(nextFireTime(schedule, 1000, 1000)).toBe(1000 + period);
    expect(nextFireTime(schedule, 1000 + period, 1000)).toBe(1000 + 2 * period);
  });

  it.each([
    'rate(0 minutes)',
    'rate(1 minutes)',
    'rate(5 minute)',
    'rate(5 seconds)',
    'rate(five minutes)',
    'every 5 minutes',
  ])('rejects %s', (expression) => {
    expect(() => parseSchedule(expression)).toThrow(/ScheduleExpression is not valid/);
  });
});

describe('cron expressions (UTC, six fields)', () => {
  it.each([
    ['cron(0 10 * * ? *)', '2024-03-01T09:59:00Z', '2024-03-01T10:00:00.000Z'],
    ['cron(0 10 * * ? *)', '2024-03-01T10:00:00Z', '2024-03-02T10:00:00.000Z'],
    ['cron(15 12 * * ? *)', '2024-12-31T13:00:00Z', '2025-01-01T12:15:00.000Z'],
    ['cron(0/15 * * * ? *)', '2024-03-01T10:07:30Z', '2024-03-01T10:15:00.000Z'],
    ['cron(*/10 9-17 ? * MON-FRI *)', '2024-03-01T17:55:00Z', '2024-03-04T09:00:00.000Z'], // Friday evening → Monday
    ['cron(0 18 ? * MON-FRI *)', '2024-03-02T00:00:00Z', '2024-03-04T18:00:00.000Z'],
    ['cron(0 8 1 * ? *)', '2024-03-01T08:00:00Z', '2024-04-01T08:00:00.000Z'],
    ['cron(0 0 L * ? *)', '2024-02-10T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['cron(0 0 L-1 * ? *)', '2024-02-10T00:00:00Z', '2024-02-28T00:00:00.000Z'],
    ['cron(0 0 15W * ? *)', '2024-06-01T00:00:00Z', '2024-06-14T00:00:00.000Z'], // the 15th is a Saturday
    ['cron(0 0 1W * ? *)', '2024-06-01T00:00:00Z', '2024-06-03T00:00:00.000Z'], // Saturday the 1st → Monday the 3rd
    ['cron(0 0 LW * ? *)', '2024-08-01T00:00:00Z', '2024-08-30T00:00:00.000Z'], // the 31st is a Saturday
    ['cron(0 12 ? * 3#2 *)', '2024-03-01T00:00:00Z', '2024-03-12T12:00:00.000Z'], // second Tuesday
    ['cron(0 12 ? * 6L *)', '2024-03-01T00:00:00Z', '2024-03-29T12:00:00.000Z'], // last Friday
    ['cron(0 12 ? * SUN,SAT *)', '2024-03-04T00:00:00Z', '2024-03-09T12:00:00.000Z'],
    ['cron(30 6 1 JAN,JUL ? 2025-2026)', '2024-03-01T00:00:00Z', '2025-01-01T06:30:00.000Z'],
    ['cron(0 0 29 2 ? *)', '2024-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('%s after %s is %s', (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });

  it('stops when the years run out', () => {
    expect(next('cron(0 0 1 1 ? 2020)', '2024-01-01T00:00:00Z')).toBeUndefined();
  });

  it.each([
    'cron(0 10 * * *)', // five fields
    'cron(0 10 * * * *)', // neither day field is ?
    'cron(0 10 ? * ? *)', // both are
    'cron(60 10 * * ? *)',
    'cron(0 24 * * ? *)',
    'cron(0 0 32 * ? *)',
    'cron(0 0 ? * 8 *)',
    'cron(0 0 ? FOO * *)',
    'cron(0 0 ? * 2#6 *)',
    'cron(5-1 0 * * ? *)',
    'cron(0/0 0 * * ? *)',
  ])('rejects %s', (expression) => {
    expect(() => parseSchedule(expression)).toThrow(/ScheduleExpression is not valid/);
  });
});

describe('ManualClock', () => {
  it('runs due timers in time order as it advances', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100);
    const cancelled = clock.setTimeout(() => fired.push('never'), 150);
    clock.clearTimeout(cancelled);
    clock.advance(150);
    expect(fired).toEqual(['a@100']);
    clock.advance(100);
    expect(fired).toEqual(['a@100', 'b@200']);
    expect(clock.now()).toBe(250);
  });
});
