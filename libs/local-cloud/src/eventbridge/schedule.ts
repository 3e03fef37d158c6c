// EventBridge schedule expressions: rate(...) and AWS's six-field cron, evaluated in UTC like EventBridge.

export class ScheduleExpressionError extends Error {
  constructor(expression: string, reason: string) {
    super(`Parameter ScheduleExpression is not valid: ${expression} (${reason})`);
    this.name = 'ScheduleExpressionError';
  }
}

export interface RateSchedule {
  kind: 'rate';
  expression: string;
  periodMs: number;
}

interface DayOfMonthSpec {
  any: boolean;
  values: Set<number>;
  /** 'L' (offset 0) or 'L-n'. */
  lastOffset?: number;
  /** 'nW': nearest weekday to day n. */
  nearestWeekday?: number;
  /** 'LW': last weekday of the month. */
  lastWeekday: boolean;
}

interface DayOfWeekSpec {
  any: boolean;
  /** 1 = Sunday ... 7 = Saturday, as in AWS. */
  values: Set<number>;
  /** 'nL': last given weekday of the month. */
  last?: number;
  /** 'd#n': n-th given weekday of the month. */
  nth?: { day: number; n: number };
}

export interface CronSchedule {
  kind: 'cron';
  expression: string;
  minutes: number[];
  hours: number[];
  dayOfMonth: DayOfMonthSpec;
  months: Set<number>;
  dayOfWeek: DayOfWeekSpec;
  years: Set<number>;
}

export type Schedule = RateSchedule | CronSchedule;

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;

/** Parses `rate(N unit)` or `cron(min hour dom month dow year)`; throws ScheduleExpressionError. */
export function parseSchedule(expression: string): Schedule {
  const trimmed = expression.trim();
  const rate = /^rate\((.*)\)$/.exec(trimmed);
  if (rate) return parseRate(expression, rate[1] ?? '');
  const cron = /^cron\((.*)\)$/.exec(trimmed);
  if (cron) return parseCron(expression, cron[1] ?? '');
  throw new ScheduleExpressionError(expression, 'expected rate(...) or cron(...)');
}

function parseRate(expression: string, body: string): RateSchedule {
  const match = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!match) throw new ScheduleExpressionError(expression, 'expected rate(<positive integer> <unit>)');
  const value = Number(match[1]);
  const unit = match[2] ?? '';
  if (value < 1) throw new ScheduleExpressionError(expression, 'the value must be a positive integer');
  // AWS insists on the singular for 1 and the plural otherwise.
  const plural = unit.endsWith('s');
  if (value === 1 && plural) throw new ScheduleExpressionError(expression, `use the singular unit for 1`);
  if (value > 1 && !plural) throw new ScheduleExpressionError(expression, `use the plural unit for ${value}`);
  const base = plural ? unit.slice(0, -1) : unit;
  return { kind: 'rate', expression, periodMs: value * (UNIT_MS[base] ?? 0) };
}

function parseCron(expression: string, body: string): CronSchedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      expression,
      `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  const fail = (reason: string): never => {
    throw new ScheduleExpressionError(expression, reason);
  };
  if ((dom === '?') === (dow === '?')) {
    fail('exactly one of day-of-month and day-of-week must be ?');
  }
  return {
    kind: 'cron',
    expression,
    minutes: [...parseList(min, 0, 59, [], fail, 'minutes')].sort((a, b) => a - b),
    hours: [...parseList(hour, 0, 23, [], fail, 'hours')].sort((a, b) => a - b),
    dayOfMonth: parseDayOfMonth(dom, fail),
    months: parseList(month, 1, 12, MONTHS, fail, 'month'),
    dayOfWeek: parseDayOfWeek(dow, fail),
    years: parseList(year, MIN_YEAR, MAX_YEAR, [], fail, 'year'),
  };
}

type Fail = (reason: string) => never;

function parseValue(
  text: string,
  min: number,
  max: number,
  names: string[],
  fail: Fail,
  field: string,
): number {
  const named = names.indexOf(text.toUpperCase());
  const value = named >= 0 ? named + min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`${field}: ${text} is not in ${min}-${max}`);
  return value;
}

/** Comma-separated items of *, n, a-b, with optional /step. */
function parseList(
  text: string,
  min: number,
  max: number,
  names: string[],
  fail: Fail,
  field: string,
): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) ? Number(stepText) : NaN;
    if (!(step >= 1)) fail(`${field}: bad step in ${item}`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = min;
      to = max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = parseValue(a, min, max, names, fail, field);
      to = parseValue(b, min, max, names, fail, field);
      if (from > to) fail(`${field}: range ${range} is reversed`);
    } else {
      from = parseValue(range, min, max, names, fail, field);
      // "5/10" means from 5 every 10 up to the max.
      to = stepText === undefined ? from : max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function parseDayOfMonth(text: string, fail: Fail): DayOfMonthSpec {
  const spec: DayOfMonthSpec = { any: false, values: new Set(), lastWeekday: false };
  if (text === '?' || text === '*') return { ...spec, any: true };
  if (text === 'L') return { ...spec, lastOffset: 0 };
  if (text === 'LW') return { ...spec, lastWeekday: true };
  const lastMinus = /^L-(\d+)$/.exec(text);
  if (lastMinus) return { ...spec, lastOffset: Number(lastMinus[1]) };
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday)
    return { ...spec, nearestWeekday: parseValue(weekday[1] ?? '', 1, 31, [], fail, 'day-of-month') };
  return { ...spec, values: parseList(text, 1, 31, [], fail, 'day-of-month') };
}

function parseDayOfWeek(text: string, fail: Fail): DayOfWeekSpec {
  const spec: DayOfWeekSpec = { any: false, values: new Set() };
  if (text === '?' || text === '*') return { ...spec, any: true };
  // A bare L is the last day of the week, Saturday.
  if (text === 'L') return { ...spec, values: new Set([7]) };
  const last = /^(\w+)L$/.exec(text);
  if (last) return { ...spec, last: parseValue(last[1] ?? '', 1, 7, DAYS, fail, 'day-of-week') };
  const nth = /^(\w+)#(\d)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) fail(`day-of-week: ${text} must use #1 to #5`);
    return { ...spec, nth: { day: parseValue(nth[1] ?? '', 1, 7, DAYS, fail, 'day-of-week'), n } };
  }
  return { ...spec, values: parseList(text, 1, 7, DAYS, fail, 'day-of-week') };
}

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** AWS numbering: 1 = Sunday. */
const weekdayOf = (year: number, month: number, day: number): number =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const target = Math.min(day, last);
  const wd = weekdayOf(year, month, target);
  if (wd === 7) return target === 1 ? 3 : target - 1; // Saturday → Friday, or Monday the 3rd
  if (wd === 1) return target === last ? target - 2 : target + 1; // Sunday → Monday, or Friday
  return target;
}

function dayMatches(schedule: CronSchedule, year: number, month: number, day: number): boolean {
  const dom = schedule.dayOfMonth;
  const dow = schedule.dayOfWeek;
  const last = daysInMonth(year, month);
  if (!dom.any) {
    if (dom.lastOffset !== undefined) return day === last - dom.lastOffset;
    if (dom.lastWeekday) {
      let d = last;
      while (weekdayOf(year, month, d) === 1 || weekdayOf(year, month, d) === 7) d -= 1;
      return day === d;
    }
    if (dom.nearestWeekday !== undefined) return day === nearestWeekday(year, month, dom.nearestWeekday);
    return dom.values.has(day);
  }
  if (dow.any) return true;
  const wd = weekdayOf(year, month, day);
  if (dow.last !== undefined) return wd === dow.last && day + 7 > last;
  if (dow.nth) return wd === dow.nth.day && Math.ceil(day / 7) === dow.nth.n;
  return dow.values.has(wd);
}

/** First fire time strictly after `afterMs` (epoch ms), or undefined when the schedule never fires again. */
export function nextFireTime(
  schedule: Schedule,
  afterMs: number,
  startMs: number = afterMs,
): number | undefined {
  if (schedule.kind === 'rate') {
    // Fires every period counted from when the rule was created (startMs).
    const elapsed = Math.max(0, afterMs - startMs);
    return startMs + (Math.floor(elapsed / schedule.periodMs) + 1) * schedule.periodMs;
  }
  // Next whole minute after `afterMs`.
  const from = new Date(Math.floor(afterMs / 60_000) * 60_000 + 60_000);
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth() + 1;
  let day = from.getUTCDate();
  let firstDay = true;
  while (year <= MAX_YEAR) {
    if (!schedule.years.has(year)) {
      year += 1;
      month = 1;
      day = 1;
      firstDay = false;
      continue;
    }
    if (!schedule.months.has(month) || day > daysInMonth(year, month)) {
      month += 1;
      day = 1;
      firstDay = false;
      if (month > 12) {
        month = 1;
        year += 1;
      }
      continue;
    }
    if (dayMatches(schedule, year, month, day)) {
      const minHour = firstDay ? from.getUTCHours() : 0;
      for (const hour of schedule.hours) {
        if (hour < minHour) continue;
        const minMinute = firstDay && hour === minHour ? from.getUTCMinutes() : 0;
        const minute = schedule.minutes.find((m) => m >= minMinute);
        if (minute !== undefined) return Date.UTC(year, month - 1, day, hour, minute);
      }
    }
    day += 1;
    firstDay = false;
  }
  return undefined;
}

/** Time source for the scheduler, injectable so tests need not wait for real minutes. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    // Node timers overflow above 2^31-1 ms; re-arming on wake-up handles longer waits.
    const timer = setTimeout(callback, Math.min(ms, 2 ** 31 - 1));
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A clock that only moves when told to; `advance` runs due timers in time order. */
export class ManualClock implements Clock {
  private current: number;
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  constructor(start: number | Date = 0) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.current + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      this.timers.delete(due[0]);
      this.current = Math.max(this.current, due[1].at);
      due[1].callback();
    }
    this.current = target;
  }
}
