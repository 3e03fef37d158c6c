import {
  compilePattern,
  matchesPattern,
  UnsupportedPatternError,
  validatePattern,
} from '../../../src/event-pattern';
import { cases } from './cases';

describe('event-pattern case table', () => {
  test('every case names its source', () => {
    for (const c of cases) expect(c.reference).toMatch(/^(AWS docs|event-ruler): \S/);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(120);
  });

  test.each(cases)('[$feature] $name → $expected', ({ pattern, event, expected }) => {
    expect(() => validatePattern(pattern)).not.toThrow();
    expect(matchesPattern(pattern, event)).toBe(expected);
    // The JSON text form (as carried by PutRule/CloudFormation) behaves the same.
    expect(compilePattern(JSON.stringify(pattern))(JSON.parse(JSON.stringify(event)))).toBe(expected);
  });
});

describe('validatePattern rejects invalid or unsupported patterns', () => {
  const invalid: Array<[name: string, pattern: unknown, message: string]> = [
    ['pattern is not an object', ['source'], 'pattern: must be a JSON object'],
    ['pattern is null', null, 'pattern: must be a JSON object'],
    ['pattern text is not JSON', '{"source": [', 'pattern: is not valid JSON'],
    ['empty pattern', {}, 'pattern: empty objects are not allowed'],
    ['empty nested object', { detail: {} }, 'pattern.detail: empty objects are not allowed'],
    ['leaf is a bare string', { source: 'aws.ec2' }, 'pattern.source: must be an object or an array'],
    ['leaf is a bare number', { detail: { n: 5 } }, 'pattern.detail.n: must be an object or an array'],
    ['empty value list', { source: [] }, 'pattern.source: empty arrays are not allowed'],
    ['nested array in value list', { source: [['a']] }, 'pattern.source[0]: match value must be'],
    [
      'unknown operator',
      { detail: { amount: [{ foo: 1 }] } },
      'pattern.detail.amount: unsupported operator "foo"',
    ],
    [
      'event-ruler-only "equals" operator',
      { a: [{ equals: 'x' }] },
      'pattern.a: unsupported operator "equals"',
    ],
    [
      'operator object with two keys',
      { a: [{ prefix: 'a', suffix: 'b' }] },
      'pattern.a: an operator object must have exactly one key, got 2',
    ],
    ['empty operator object', { a: [{}] }, 'pattern.a: an operator object must have exactly one key, got 0'],
    ['prefix is not a string', { a: [{ prefix: 5 }] }, 'pattern.a.prefix: prefix must be a string'],
    ['suffix is not a string', { a: [{ suffix: null }] }, 'pattern.a.suffix: suffix must be a string'],
    [
      'prefix with an unsupported inner operator',
      { a: [{ prefix: { wildcard: 'x*' } }] },
      'pattern.a.prefix: unsupported operator "wildcard" inside prefix',
    ],
    [
      'equals-ignore-case is not a string',
      { a: [{ 'equals-ignore-case': ['x'] }] },
      'pattern.a.equals-ignore-case: equals-ignore-case must be a string',
    ],
    ['exists is not a boolean', { a: [{ exists: 'yes' }] }, 'pattern.a.exists: exists must be true or false'],
    ['numeric is not an array', { a: [{ numeric: 5 }] }, 'pattern.a.numeric: numeric must be an array'],
    [
      'numeric operand is a string',
      { a: [{ numeric: ['>', '5'] }] },
      'pattern.a.numeric[1]: numeric operand must be a number',
    ],
    [
      'numeric unsupported comparison',
      { a: [{ numeric: ['!=', 5] }] },
      'pattern.a.numeric[0]: unsupported operator "!=" in numeric',
    ],
    [
      'numeric too many terms',
      { a: [{ numeric: ['>', 0, '<', 5, '<', 6] }] },
      'pattern.a.numeric: numeric must have one or two comparisons',
    ],
    [
      'numeric range in the wrong order',
      { a: [{ numeric: ['<', 5, '>', 1] }] },
      'pattern.a.numeric: a numeric range must be a lower bound',
    ],
    [
      'numeric range "=" with a bound',
      { a: [{ numeric: ['=', 5, '<', 6] }] },
      'pattern.a.numeric: a numeric range must be a lower bound',
    ],
    [
      'numeric empty range',
      { a: [{ numeric: ['>', 10, '<', 5] }] },
      'pattern.a.numeric: numeric range lower bound must be less than upper bound',
    ],
    [
      'numeric beyond 5e9',
      { a: [{ numeric: ['>', 6e9] }] },
      'pattern.a.numeric[1]: numeric value 6000000000 is outside -5e9..5e9',
    ],
    [
      'numeric with 7 decimals',
      { a: [{ numeric: ['=', 1.0000001] }] },
      'pattern.a.numeric[1]: numeric value 1.0000001 has more than 6 decimal places',
    ],
    [
      'anything-but null',
      { a: [{ 'anything-but': null }] },
      'pattern.a.anything-but: anything-but must be a string, a number',
    ],
    [
      'anything-but boolean',
      { a: [{ 'anything-but': true }] },
      'pattern.a.anything-but: anything-but must be a string, a number',
    ],
    [
      'anything-but list with null',
      { a: [{ 'anything-but': ['x', null] }] },
      'pattern.a.anything-but[1]: anything-but list values must be strings or numbers',
    ],
    [
      'anything-but mixed list',
      { a: [{ 'anything-but': ['x', 1] }] },
      'pattern.a.anything-but: anything-but list must be all strings or all numbers',
    ],
    [
      'anything-but empty list',
      { a: [{ 'anything-but': [] }] },
      'pattern.a.anything-but: anything-but list must not be empty',
    ],
    [
      'anything-but numeric',
      { a: [{ 'anything-but': { numeric: ['>', 1] } }] },
      'pattern.a.anything-but: unsupported operator "numeric" inside anything-but',
    ],
    [
      'anything-but empty prefix',
      { a: [{ 'anything-but': { prefix: '' } }] },
      'pattern.a.anything-but.prefix: empty prefix is not allowed in anything-but',
    ],
    [
      'anything-but prefix number',
      { a: [{ 'anything-but': { prefix: 1 } }] },
      'pattern.a.anything-but.prefix: anything-but prefix values must be strings',
    ],
    [
      'anything-but equals-ignore-case number list',
      { a: [{ 'anything-but': { 'equals-ignore-case': [1] } }] },
      'pattern.a.anything-but.equals-ignore-case[0]: anything-but equals-ignore-case values must be strings',
    ],
    [
      'consecutive wildcards',
      { a: [{ wildcard: 'a**b' }] },
      'pattern.a.wildcard: consecutive wildcard characters at pos 1',
    ],
    [
      'consecutive wildcards inside anything-but',
      { a: [{ 'anything-but': { wildcard: '**' } }] },
      'pattern.a.anything-but.wildcard: consecutive wildcard characters at pos 0',
    ],
    [
      'wildcard escaping a plain character',
      { a: [{ wildcard: 'a\\b' }] },
      'pattern.a.wildcard: invalid escape character at pos 1',
    ],
    ['wildcard is not a string', { a: [{ wildcard: 1 }] }, 'pattern.a.wildcard: wildcard must be a string'],
    [
      'cidr prefix too long',
      { ip: [{ cidr: '10.0.0.0/33' }] },
      'pattern.ip.cidr: invalid cidr prefix length /33',
    ],
    ['cidr not an address', { ip: [{ cidr: 'ten/8' }] }, 'pattern.ip.cidr: invalid cidr "ten/8"'],
    [
      'cidr without prefix length',
      { ip: [{ cidr: '10.0.0.1' }] },
      'pattern.ip.cidr: invalid cidr "10.0.0.1"',
    ],
    ['cidr is not a string', { ip: [{ cidr: 10 }] }, 'pattern.ip.cidr: cidr must be a string'],
    ['$or is not an array', { $or: { a: ['x'] } }, 'pattern.$or: $or must be an array of objects'],
    ['$or with one alternative', { $or: [{ a: ['x'] }] }, 'pattern.$or: $or must contain at least 2 objects'],
    [
      '$or with a non-object alternative',
      { $or: [{ a: ['x'] }, 'b'] },
      'pattern.$or[1]: only objects are allowed in $or',
    ],
    [
      '$or with an empty alternative',
      { $or: [{ a: ['x'] }, {}] },
      'pattern.$or[1]: empty objects are not allowed',
    ],
    [
      'operator name used as a field inside $or',
      { $or: [{ prefix: ['x'] }, { b: ['y'] }] },
      'pattern.$or[0].prefix: operator "prefix" cannot be used as a field name inside $or',
    ],
    [
      'error deep inside $or',
      { detail: { $or: [{ a: ['x'] }, { b: [{ numeric: ['>'] }] }] } },
      'pattern.detail.$or[1].b.numeric: numeric must have one or two comparisons',
    ],
    ['infinite number', { a: [Infinity] }, 'pattern.a[0]: numbers must be finite'],
  ];

  test.each(invalid)('%s', (_name, pattern, message) => {
    let error: unknown;
    try {
      validatePattern(pattern);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedPatternError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect((error as UnsupportedPatternError).path).toBe(message.slice(0, message.indexOf(': ')));
  });

  test('error carries path and reason, and matchesPattern rejects the same patterns', () => {
    const err = new UnsupportedPatternError('pattern.detail.amount', 'unsupported operator "foo"');
    expect(err.message).toBe('pattern.detail.amount: unsupported operator "foo"');
    expect(err.name).toBe('UnsupportedPatternError');
    expect(err.reason).toBe('unsupported operator "foo"');
    expect(() => matchesPattern({ detail: { amount: [{ foo: 1 }] } }, {})).toThrow(UnsupportedPatternError);
  });
});

describe('validatePattern accepts valid patterns', () => {
  const valid: Array<[name: string, pattern: unknown]> = [
    ['JSON text', '{"source":["aws.ec2"],"detail":{"state":[{"anything-but":"initializing"}]}}'],
    ['every scalar type', { a: ['s', 1, -2.5, true, false, null, ''] }],
    ['large exact number (e.g. an account id) is not range-limited', { account: [123456789012] }],
    ['numeric at the limits', { a: [{ numeric: ['>=', -5e9, '<=', 5e9] }] }],
    ['numeric with six decimals', { a: [{ numeric: ['=', 0.000001] }] }],
    ['anything-but lists', { a: [{ 'anything-but': ['x', 'y'] }], b: [{ 'anything-but': [1, 2.5] }] }],
    ['anything-but wildcard list', { a: [{ 'anything-but': { wildcard: ['*.png', 'dir/*'] } }] }],
    ['anything-but suffix list', { a: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] }],
    ['wildcard escapes', { a: [{ wildcard: '\\**\\\\' }] }],
    ['IPv6 cidr', { ip: [{ cidr: '::ffff:10.0.0.0/120' }] }],
    [
      '$or nested in $or and under detail',
      { detail: { $or: [{ a: ['x'] }, { b: ['y'], $or: [{ c: [1] }, { d: [2] }] }] } },
    ],
    ['exists alongside values', { a: ['x', { exists: false }] }],
    ['a field literally named like an operator outside $or', { detail: { prefix: ['x'] } }],
  ];
  test.each(valid)('%s', (_name, pattern) => {
    expect(() => validatePattern(pattern)).not.toThrow();
  });
});

describe('compilePattern / matchesPattern', () => {
  test('compiles once and reuses the compiled matcher per pattern object', () => {
    const pattern = { detail: { file: [{ wildcard: '*.png' }] } };
    const match = compilePattern(pattern);
    expect(match({ detail: { file: 'a.png' } })).toBe(true);
    expect(match({ detail: { file: 'a.jpg' } })).toBe(false);
    expect(matchesPattern(pattern, { detail: { file: 'b.png' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { file: 'b.gif' } })).toBe(false);
  });

  test('non-object events match only absence patterns', () => {
    expect(compilePattern({ a: [{ exists: false }] })(null)).toBe(true);
    expect(compilePattern({ a: ['x'] })('x')).toBe(false);
  });

  test('IPv4-mapped IPv6 cidr', () => {
    const match = compilePattern({ ip: [{ cidr: '::ffff:10.0.0.0/120' }] });
    expect(match({ ip: '::ffff:10.0.0.7' })).toBe(true);
    expect(match({ ip: '::ffff:10.0.1.7' })).toBe(false);
  });

  test('wildcard matching stays linear on adversarial input', () => {
    const match = compilePattern({ v: [{ wildcard: '*a*a*a*a*a*b' }] });
    const started = Date.now();
    expect(match({ v: 'a'.repeat(100_000) })).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
