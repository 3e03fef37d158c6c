import {
  applyInputTransformer,
  parsePath,
  renderTargetInput,
  selectPath,
  validateTargetInput,
} from '../../../src/eventbridge/transform';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'ResourceCreated',
  source: 'switchyard.ingest',
  account: '000000000000',
  time: '2024-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:a', 'arn:b'],
  detail: { id: 'r-1', count: 3, tags: ['x'], nested: { 'odd-key': true }, quote: 'say "hi"' },
};
const context = {
  ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/r',
  ruleName: 'r',
  ingestionTime: event.time,
};

describe('JSONPath subset', () => {
  it('selects definite paths', () => {
    expect(selectPath(event, '$')).toBe(event);
    expect(selectPath(event, '$.detail.id')).toBe('r-1');
    expect(selectPath(event, '$.detail-type')).toBe('ResourceCreated');
    expect(selectPath(event, '$.resources[1]')).toBe('arn:b');
    expect(selectPath(event, "$.detail.nested['odd-key']")).toBe(true);
    expect(selectPath(event, '$.detail.missing.deeper')).toBeUndefined();
  });

  it('rejects what is not a definite path', () => {
    expect(() => parsePath('detail.id')).toThrow(/must start with \$/);
    expect(() => parsePath('$.detail.*')).toThrow(/wildcards/);
    expect(() => parsePath('$..id')).toThrow();
  });
});

describe('target input', () => {
  it('is the whole event by default, the constant Input, or the InputPath selection', () => {
    expect(JSON.parse(renderTargetInput({}, event, context))).toEqual(event);
    expect(renderTargetInput({ Input: '{"fixed":1}' }, event, context)).toBe('{"fixed":1}');
    expect(JSON.parse(renderTargetInput({ InputPath: '$.detail' }, event, context))).toEqual(event.detail);
  });

  it('fills an InputTransformer template: JSON values outside strings, raw text inside them', () => {
    const output = applyInputTransformer(
      {
        InputPathsMap: {
          id: '$.detail.id',
          count: '$.detail.count',
          tags: '$.detail.tags',
          quote: '$.detail.quote',
          none: '$.detail.none',
        },
        InputTemplate:
          '{"id": <id>, "n": <count>, "tags": <tags>, "text": "item <id> x<count> by <aws.events.rule-name>", "q": "<quote>", "missing": <none>}',
      },
      event,
      context,
    );
    expect(JSON.parse(output)).toEqual({
      id: 'r-1',
      n: 3,
      tags: ['x'],
      text: 'item r-1 x3 by r',
      q: 'say "hi"',
      missing: null,
    });
  });

  it('supports string templates and the whole-event placeholder', () => {
    expect(
      applyInputTransformer(
        { InputPathsMap: { s: '$.source' }, InputTemplate: '"<s> did it"' },
        event,
        context,
      ),
    ).toBe('"switchyard.ingest did it"');
    expect(
      JSON.parse(applyInputTransformer({ InputTemplate: '{"e": <aws.events.event>}' }, event, context)),
    ).toEqual({ e: event });
  });

  it('validates target settings like PutTargets', () => {
    expect(validateTargetInput({})).toBeUndefined();
    expect(validateTargetInput({ Input: '{}', InputPath: '$' })).toMatch(/Only one of/);
    expect(validateTargetInput({ Input: 'not json' })).toMatch(/valid JSON/);
    expect(
      validateTargetInput({ InputTransformer: { InputPathsMap: { a: 'nope' }, InputTemplate: '<a>' } }),
    ).toMatch(/must start/);
  });
});
