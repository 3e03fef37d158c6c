import { EventReceived, payloadRef } from '../../src';
import { jsonSchemaOf } from '../../src/generate';
import { eventReceivedSample } from './samples';

const ref = {
  bucket: 'switchyard-prod-ingest-payloads',
  key: 'tnt_01J9Z3VZ4Y0D8E6F2G1H3J5K7M/2025/03/14/evt_01J9Z45A1B2C3D4E5F6G7H8J9K.json',
  size: 734_003,
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};
const { payload: _payload, ...withoutPayload } = eventReceivedSample;

describe('EventReceived payload or payloadRef', () => {
  it('accepts an inline payload alone', () => {
    expect(EventReceived.schema.safeParse(eventReceivedSample).success).toBe(true);
  });

  it('accepts a payloadRef alone (S3 claim check)', () => {
    const result = EventReceived.schema.safeParse({ ...withoutPayload, payloadRef: ref });
    expect(result.success).toBe(true);
    expect(result.data?.payloadRef).toEqual(ref);
  });

  it('rejects both', () => {
    const result = EventReceived.schema.safeParse({ ...eventReceivedSample, payloadRef: ref });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/exactly one of payload, payloadRef/);
  });

  it('rejects neither', () => {
    expect(EventReceived.schema.safeParse(withoutPayload).success).toBe(false);
  });

  it('applies the same rule to the body schema producers fill in', () => {
    const { version: _v, id: _i, time: _t, tenantId: _tn, correlationId: _c, ...body } = eventReceivedSample;
    expect(EventReceived.body.safeParse(body).success).toBe(true);
    expect(EventReceived.body.safeParse({ ...body, payloadRef: ref }).success).toBe(false);
  });

  it('shows the rule in the generated JSON Schema', () => {
    expect(jsonSchemaOf(EventReceived).oneOf).toEqual([
      { required: ['payload'] },
      { required: ['payloadRef'] },
    ]);
  });

  it('rejects a payload that is not a JSON object', () => {
    for (const payload of ['a string', [1, 2], 42, null]) {
      expect(EventReceived.schema.safeParse({ ...eventReceivedSample, payload }).success).toBe(false);
    }
  });

  it.each([
    ['an uppercase hash', { sha256: ref.sha256.toUpperCase() }],
    ['a short hash', { sha256: 'abc123' }],
    ['a zero size', { size: 0 }],
    ['a fractional size', { size: 1.5 }],
    ['an empty key', { key: '' }],
  ])('rejects a payloadRef with %s', (_case, patch) => {
    expect(payloadRef.safeParse({ ...ref, ...patch }).success).toBe(false);
  });

  it('bounds eventType to 1..255 characters', () => {
    const parse = (eventType: string) =>
      EventReceived.schema.safeParse({ ...eventReceivedSample, eventType });
    expect(parse('x'.repeat(255)).success).toBe(true);
    expect(parse('x'.repeat(256)).success).toBe(false);
    expect(parse('').success).toBe(false);
  });
});
