// EventBridge event-pattern matcher for the local cloud's in-process bus.
// Semantics follow the EventBridge user guide ("Content filtering in Amazon EventBridge event patterns",
// "Comparison operators for use in event patterns") and, where the guide is silent, aws/event-ruler,
// the library EventBridge is built on. See README.md for sources and deliberate gaps.
import { isIPv4, isIPv6 } from 'node:net';

/** Thrown for any pattern that EventBridge would reject or that this matcher does not support. */
export class UnsupportedPatternError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'UnsupportedPatternError';
  }
}

export type EventMatcher = (event: unknown) => boolean;

type Leaf = string | number | boolean | null;
type LeafTest = (leaf: Leaf) => boolean;
/** Evaluates a (sub-)pattern against the object at one level of the event; undefined means "no object here". */
type ObjectTest = (obj: Record<string, unknown> | undefined) => boolean;

// EventBridge limits numeric matching to this range with six decimal places (event-ruler ComparableNumber).
const NUMERIC_LIMIT = 5e9;
const OR_KEY = '$or';
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'anything-but',
  'numeric',
  'exists',
  'equals-ignore-case',
  'wildcard',
  'cidr',
]);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const show = (v: unknown): string => (v === undefined ? 'undefined' : JSON.stringify(v));

/**
 * Validates and compiles a pattern once; the returned function does no parsing or regex building per event.
 * Accepts the pattern as an object or as its JSON text (the form PutRule/CloudFormation carry).
 */
export function compilePattern(pattern: unknown): EventMatcher {
  let parsed = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern) as unknown;
    } catch {
      throw new UnsupportedPatternError('pattern', 'is not valid JSON');
    }
  }
  if (!isPlainObject(parsed)) throw new UnsupportedPatternError('pattern', 'must be a JSON object');
  const test = compileObject(parsed, 'pattern', false);
  return (event) => test(isPlainObject(event) ? event : undefined);
}

/** Throws UnsupportedPatternError naming the offending path for anything invalid or unsupported. */
export function validatePattern(pattern: unknown): void {
  compilePattern(pattern);
}

const cache = new WeakMap<object, EventMatcher>();

/** Full EventBridge matching; the compiled form is cached per pattern object. */
export function matchesPattern(pattern: object, event: object): boolean {
  let matcher = cache.get(pattern);
  if (!matcher) {
    matcher = compilePattern(pattern);
    cache.set(pattern, matcher);
  }
  return matcher(event);
}

// ---------------------------------------------------------------------------------------------------------
// Structure

function compileObject(pattern: Record<string, unknown>, path: string, insideOr: boolean): ObjectTest {
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new UnsupportedPatternError(path, 'empty objects are not allowed');
  const tests: ObjectTest[] = [];
  for (const key of keys) {
    const value = pattern[key];
    const childPath = `${path}.${key}`;
    if (key === OR_KEY) {
      tests.push(compileOr(value, childPath));
      continue;
    }
    // event-ruler reserves operator names inside $or so that a misplaced operator is not read as a field.
    if (insideOr && OPERATORS.has(key)) {
      throw new UnsupportedPatternError(
        childPath,
        `operator "${key}" cannot be used as a field name inside $or`,
      );
    }
    if (Array.isArray(value)) {
      const leafTest = compileLeafList(value, childPath);
      tests.push((obj) => leafTest(obj?.[key]));
    } else if (isPlainObject(value)) {
      const sub = compileObject(value, childPath, insideOr);
      tests.push((obj) => matchNested(sub, obj?.[key]));
    } else {
      throw new UnsupportedPatternError(childPath, `must be an object or an array, got ${show(value)}`);
    }
  }
  return (obj) => tests.every((t) => t(obj));
}

function compileOr(value: unknown, path: string): ObjectTest {
  if (!Array.isArray(value)) throw new UnsupportedPatternError(path, '$or must be an array of objects');
  if (value.length < 2) throw new UnsupportedPatternError(path, '$or must contain at least 2 objects');
  const alternatives = value.map((alt, i) => {
    if (!isPlainObject(alt))
      throw new UnsupportedPatternError(`${path}[${i}]`, 'only objects are allowed in $or');
    return compileObject(alt, `${path}[${i}]`, true);
  });
  return (obj) => alternatives.some((alt) => alt(obj));
}

/** Pattern object against an event value: arrays match if any element does (nested arrays are flattened). */
function matchNested(sub: ObjectTest, value: unknown): boolean {
  if (isPlainObject(value)) return sub(value);
  if (!Array.isArray(value)) return sub(undefined);
  const flat = value.flat(Infinity) as unknown[];
  let sawNonObject = flat.length === 0;
  for (const el of flat) {
    if (isPlainObject(el)) {
      if (sub(el)) return true;
    } else {
      sawNonObject = true;
    }
  }
  // Non-object elements carry no fields, so deeper paths are absent there (relevant to exists:false).
  return sawNonObject ? sub(undefined) : false;
}

/** Leaf values of an event field: scalars, or the scalars of an (arbitrarily nested) array. Objects are not leaves. */
function leavesOf(value: unknown): Leaf[] {
  if (value === undefined || isPlainObject(value)) return [];
  if (Array.isArray(value)) {
    return (value.flat(Infinity) as unknown[]).filter((v): v is Leaf => v === null || typeof v !== 'object');
  }
  return [value as Leaf];
}

function compileLeafList(values: unknown[], path: string): (value: unknown) => boolean {
  if (values.length === 0) throw new UnsupportedPatternError(path, 'empty arrays are not allowed');
  const tests: LeafTest[] = [];
  let existsTrue = false;
  let existsFalse = false;
  values.forEach((v, i) => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') {
      tests.push((leaf) => leaf === v);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new UnsupportedPatternError(`${path}[${i}]`, 'numbers must be finite');
      tests.push((leaf) => leaf === v);
    } else if (isPlainObject(v)) {
      // Operator errors name the field, not the list slot, e.g. `pattern.detail.amount: unsupported operator "foo"`.
      const op = compileOperator(v, path);
      if (op.kind === 'exists') {
        if (op.exists) existsTrue = true;
        else existsFalse = true;
      } else tests.push(op.test);
    } else {
      throw new UnsupportedPatternError(
        `${path}[${i}]`,
        `match value must be a string, number, true, false, null or an operator object, got ${show(v)}`,
      );
    }
  });
  return (value) => {
    const leaves = leavesOf(value);
    // exists is about leaf presence: null counts, objects and empty arrays do not (docs: leaf nodes only).
    if (leaves.length > 0 ? existsTrue : existsFalse) return true;
    for (const leaf of leaves) for (const t of tests) if (t(leaf)) return true;
    return false;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Operators

type CompiledOperator = { kind: 'exists'; exists: boolean } | { kind: 'test'; test: LeafTest };

function compileOperator(obj: Record<string, unknown>, path: string): CompiledOperator {
  const keys = Object.keys(obj);
  if (keys.length !== 1) {
    throw new UnsupportedPatternError(
      path,
      `an operator object must have exactly one key, got ${keys.length}`,
    );
  }
  const op = keys[0] as string;
  const arg = obj[op];
  const opPath = `${path}.${op}`;
  const test = (t: LeafTest): CompiledOperator => ({ kind: 'test', test: t });
  switch (op) {
    case 'exists':
      if (typeof arg !== 'boolean') throw new UnsupportedPatternError(opPath, 'exists must be true or false');
      return { kind: 'exists', exists: arg };
    case 'prefix':
    case 'suffix': {
      if (isPlainObject(arg)) {
        const s = ignoreCaseArg(arg, opPath, op);
        return test(ignoreCaseAffix(op, s));
      }
      if (typeof arg !== 'string') throw new UnsupportedPatternError(opPath, `${op} must be a string`);
      return test(
        op === 'prefix'
          ? (leaf) => typeof leaf === 'string' && leaf.startsWith(arg)
          : (leaf) => typeof leaf === 'string' && leaf.endsWith(arg),
      );
    }
    case 'equals-ignore-case': {
      if (typeof arg !== 'string')
        throw new UnsupportedPatternError(opPath, 'equals-ignore-case must be a string');
      const folded = fold(arg);
      return test((leaf) => typeof leaf === 'string' && fold(leaf) === folded);
    }
    case 'wildcard': {
      if (typeof arg !== 'string') throw new UnsupportedPatternError(opPath, 'wildcard must be a string');
      const w = compileWildcard(arg, opPath);
      return test((leaf) => typeof leaf === 'string' && w(leaf));
    }
    case 'numeric':
      return test(compileNumeric(arg, opPath));
    case 'cidr': {
      if (typeof arg !== 'string') throw new UnsupportedPatternError(opPath, 'cidr must be a string');
      return test(compileCidr(arg, opPath));
    }
    case 'anything-but':
      return test(compileAnythingBut(arg, opPath));
    default:
      throw new UnsupportedPatternError(path, `unsupported operator "${op}"`);
  }
}

function ignoreCaseArg(arg: Record<string, unknown>, path: string, parent: string): string {
  const keys = Object.keys(arg);
  if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
    const op = keys.length === 1 ? (keys[0] as string) : keys.join(',');
    throw new UnsupportedPatternError(path, `unsupported operator "${op}" inside ${parent}`);
  }
  const s = arg['equals-ignore-case'];
  if (typeof s !== 'string') {
    throw new UnsupportedPatternError(`${path}.equals-ignore-case`, 'equals-ignore-case must be a string');
  }
  return s;
}

function ignoreCaseAffix(op: 'prefix' | 'suffix', s: string): LeafTest {
  const folded = fold(s);
  return op === 'prefix'
    ? (leaf) => typeof leaf === 'string' && fold(leaf).startsWith(folded)
    : (leaf) => typeof leaf === 'string' && fold(leaf).endsWith(folded);
}

const fold = (s: string): string => s.toLowerCase();

function compileAnythingBut(arg: unknown, path: string): LeafTest {
  if (typeof arg === 'string') return (leaf) => leaf !== arg;
  if (typeof arg === 'number') {
    checkNumericOperand(arg, path);
    return (leaf) => leaf !== arg;
  }
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new UnsupportedPatternError(path, 'anything-but list must not be empty');
    arg.forEach((v, i) => {
      if (typeof v !== 'string' && typeof v !== 'number') {
        throw new UnsupportedPatternError(
          `${path}[${i}]`,
          `anything-but list values must be strings or numbers, got ${show(v)}`,
        );
      }
      if (typeof v === 'number') checkNumericOperand(v, `${path}[${i}]`);
    });
    const kinds = new Set(arg.map((v) => typeof v));
    if (kinds.size > 1) {
      throw new UnsupportedPatternError(
        path,
        'anything-but list must be all strings or all numbers, not mixed',
      );
    }
    // Any value type outside the set matches, e.g. the string "444" against a numeric list (event-ruler RulerTest).
    const set = new Set<unknown>(arg);
    return (leaf) => !set.has(leaf);
  }
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1) {
      throw new UnsupportedPatternError(
        path,
        `anything-but object must have exactly one key, got ${keys.length}`,
      );
    }
    const op = keys[0] as string;
    const inner = arg[op];
    const innerPath = `${path}.${op}`;
    if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(op)) {
      throw new UnsupportedPatternError(path, `unsupported operator "${op}" inside anything-but`);
    }
    const values = Array.isArray(inner) ? inner : [inner];
    if (values.length === 0) throw new UnsupportedPatternError(innerPath, 'list must not be empty');
    const strings = values.map((v, i) => {
      if (typeof v !== 'string') {
        const p = Array.isArray(inner) ? `${innerPath}[${i}]` : innerPath;
        throw new UnsupportedPatternError(p, `anything-but ${op} values must be strings, got ${show(v)}`);
      }
      return v;
    });
    let excluded: (s: string) => boolean;
    switch (op) {
      case 'prefix':
      case 'suffix':
        if (strings.some((s) => s === '')) {
          throw new UnsupportedPatternError(innerPath, `empty ${op} is not allowed in anything-but`);
        }
        excluded =
          op === 'prefix'
            ? (s) => strings.some((p) => s.startsWith(p))
            : (s) => strings.some((p) => s.endsWith(p));
        break;
      case 'equals-ignore-case': {
        const folded = new Set(strings.map(fold));
        excluded = (s) => folded.has(fold(s));
        break;
      }
      // 'wildcard', the only other operator admitted above.
      default: {
        const ws = strings.map((s, i) =>
          compileWildcard(s, Array.isArray(inner) ? `${innerPath}[${i}]` : innerPath),
        );
        excluded = (s) => ws.some((w) => w(s));
      }
    }
    // Non-string leaves can never be excluded by a string test, so they are "anything but" it.
    return (leaf) => typeof leaf !== 'string' || !excluded(leaf);
  }
  throw new UnsupportedPatternError(
    path,
    `anything-but must be a string, a number, a list of them, or an object, got ${show(arg)}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// numeric

const NUMERIC_OPS = new Set(['=', '<', '<=', '>', '>=']);

function checkNumericOperand(n: unknown, path: string): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new UnsupportedPatternError(path, `numeric operand must be a number, got ${show(n)}`);
  }
  if (Math.abs(n) > NUMERIC_LIMIT) {
    throw new UnsupportedPatternError(path, `numeric value ${n} is outside -5e9..5e9`);
  }
  if (Number(n.toFixed(6)) !== n) {
    throw new UnsupportedPatternError(path, `numeric value ${n} has more than 6 decimal places`);
  }
  return n;
}

function compileNumeric(arg: unknown, path: string): LeafTest {
  if (!Array.isArray(arg)) throw new UnsupportedPatternError(path, 'numeric must be an array');
  if (arg.length !== 2 && arg.length !== 4) {
    throw new UnsupportedPatternError(path, 'numeric must have one or two comparisons');
  }
  const cmps: Array<(x: number) => boolean> = [];
  const ops: string[] = [];
  const bounds: number[] = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    if (typeof op !== 'string' || !NUMERIC_OPS.has(op)) {
      throw new UnsupportedPatternError(`${path}[${i}]`, `unsupported operator ${show(op)} in numeric`);
    }
    const n = checkNumericOperand(arg[i + 1], `${path}[${i + 1}]`);
    ops.push(op);
    bounds.push(n);
    cmps.push(numericComparison(op, n));
  }
  if (ops.length === 2) {
    const [lo, hi] = ops as [string, string];
    if (!(lo === '>' || lo === '>=') || !(hi === '<' || hi === '<=')) {
      throw new UnsupportedPatternError(
        path,
        'a numeric range must be a lower bound (>, >=) then an upper bound (<, <=)',
      );
    }
    if (!((bounds[0] as number) < (bounds[1] as number))) {
      throw new UnsupportedPatternError(path, 'numeric range lower bound must be less than upper bound');
    }
  }
  // Only JSON numbers inside EventBridge's range are numerically comparable; strings like "5" never are.
  return (leaf) => typeof leaf === 'number' && Math.abs(leaf) <= NUMERIC_LIMIT && cmps.every((c) => c(leaf));
}

function numericComparison(op: string, n: number): (x: number) => boolean {
  switch (op) {
    case '=':
      return (x) => x === n;
    case '<':
      return (x) => x < n;
    case '<=':
      return (x) => x <= n;
    case '>':
      return (x) => x > n;
    default:
      return (x) => x >= n;
  }
}

// ---------------------------------------------------------------------------------------------------------
// wildcard: compiled to literal segments once; matching is a linear scan, with no regex per event.

function compileWildcard(pattern: string, path: string): (s: string) => boolean {
  const segments: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new UnsupportedPatternError(path, `invalid escape character at pos ${i} in wildcard`);
      }
      segments[segments.length - 1] += next;
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*') {
        throw new UnsupportedPatternError(path, `consecutive wildcard characters at pos ${i}`);
      }
      segments.push('');
    } else {
      segments[segments.length - 1] += c;
    }
  }
  if (segments.length === 1) {
    const literal = segments[0] as string;
    return (s) => s === literal;
  }
  const first = segments[0] as string;
  const last = segments[segments.length - 1] as string;
  const middle = segments.slice(1, -1);
  return (s) => {
    if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
    let pos = first.length;
    const end = s.length - last.length;
    // Leftmost placement of each middle segment is optimal when every gap is a "*".
    for (const seg of middle) {
      const at = s.indexOf(seg, pos);
      if (at < 0 || at + seg.length > end) return false;
      pos = at + seg.length;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------------------
// cidr

function compileCidr(cidr: string, path: string): LeafTest {
  const slash = cidr.indexOf('/');
  const ip = slash < 0 ? cidr : cidr.slice(0, slash);
  const bitsText = slash < 0 ? '' : cidr.slice(slash + 1);
  const family = isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : 0;
  if (family === 0 || !/^\d{1,3}$/.test(bitsText)) {
    throw new UnsupportedPatternError(path, `invalid cidr ${show(cidr)}`);
  }
  const width = family === 4 ? 32 : 128;
  const bits = Number(bitsText);
  if (bits > width) throw new UnsupportedPatternError(path, `invalid cidr prefix length /${bits}`);
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
  const network = (ipToBigInt(ip, family) as bigint) & mask;
  return (leaf) => {
    if (typeof leaf !== 'string') return false;
    const value = ipToBigInt(leaf, family);
    return value !== undefined && (value & mask) === network;
  };
}

function ipToBigInt(ip: string, family: 4 | 6): bigint | undefined {
  if (family === 4) {
    if (!isIPv4(ip)) return undefined;
    return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  if (!isIPv6(ip) || ip.includes('%')) return undefined;
  let text = ip;
  // A trailing dotted quad (e.g. ::ffff:10.0.0.1) is two hextets.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipToBigInt(tail, 4) as bigint;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headParts = head === '' ? [] : head.split(':');
  const restParts = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? [] : new Array<string>(8 - headParts.length - restParts.length).fill('0');
  return [...headParts, ...fill, ...restParts].reduce((acc, h) => (acc << 16n) | BigInt(parseInt(h, 16)), 0n);
}
