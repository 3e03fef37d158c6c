import { MAX_PAYLOAD_BYTES } from '../../../src/domain/events';
import type { PublishedEvent } from '../../../src/domain/events';
import {
  CLOUDEVENTS_BATCH_MEDIA_TYPE,
  CLOUDEVENTS_MEDIA_TYPE,
  MAX_EVENT_REQUEST_BYTES,
  parseBatchRequest,
  parsePublishRequest,
} from '../../../src/http/publish-request';
import type { RequestOutcome } from '../../../src/http/publish-request';
import { jsonRequest } from '../domain/fixtures';

function accepted<T>(outcome: RequestOutcome<T>): T {
  if (!outcome.ok) throw new Error(`expected ok, got ${JSON.stringify(outcome.rejection)}`);
  return outcome.value;
}

function rejected<T>(outcome: RequestOutcome<T>) {
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  return outcome.rejection;
}

/** A JSON object whose compact serialisation is exactly `bytes` long. */
function payloadOfSize(bytes: number): Record<string, unknown> {
  const overhead = JSON.stringify({ x: '' }).length;
  return { x: 'a'.repeat(bytes - overhead) };
}

describe('parsePublishRequest: native JSON', () => {
  it('maps the body onto the model with the default source', () => {
    const event = accepted(
      parsePublishRequest(jsonRequest({ event_type: 'order.placed', payload: { id: 1 } })),
    );
    expect(event).toEqual({
      format: 'native',
      eventType: 'order.placed',
      payload: { id: 1 },
      source: 'api',
      attributes: {},
    });
  });

  it('takes the idempotency key from the body or from the Idempotency-Key header', () => {
    const fromBody = accepted(
      parsePublishRequest(
        jsonRequest({ event_type: 't', payload: {}, idempotency_key: 'k1', source: 'shop' }),
      ),
    );
    expect(fromBody.idempotencyKey).toBe('k1');
    expect(fromBody.source).toBe('shop');
    const fromHeader = accepted(
      parsePublishRequest(jsonRequest({ event_type: 't', payload: {} }, { 'Idempotency-Key': 'k2' })),
    );
    expect(fromHeader.idempotencyKey).toBe('k2');
    const both = accepted(
      parsePublishRequest(
        jsonRequest({ event_type: 't', payload: {}, idempotency_key: 'k3' }, { 'idempotency-key': 'k3' }),
      ),
    );
    expect(both.idempotencyKey).toBe('k3');
  });

  it('refuses a header and a body key that differ, pointing at both', () => {
    const rejection = rejected(
      parsePublishRequest(
        jsonRequest({ event_type: 't', payload: {}, idempotency_key: 'a' }, { 'idempotency-key': 'b' }),
      ),
    );
    expect(rejection.status).toBe(400);
    expect(rejection.details.map((d) => d.path)).toEqual(['headers.idempotency-key', 'idempotency_key']);
  });

  it('gives field-level details for every bad field, without echoing values', () => {
    const rejection = rejected(
      parsePublishRequest(
        jsonRequest({
          event_type: '',
          payload: ['secret-value'],
          idempotency_key: 'x'.repeat(256),
          extra: 1,
        }),
      ),
    );
    expect(rejection.code).toBe('validation_failed');
    const paths = rejection.details.map((d) => d.path).sort();
    expect(paths).toEqual(['event_type', 'extra', 'idempotency_key', 'payload']);
    expect(JSON.stringify(rejection)).not.toContain('secret-value');
  });

  it('accepts an event_type of 255 characters and refuses 256', () => {
    expect(parsePublishRequest(jsonRequest({ event_type: 'e'.repeat(255), payload: {} })).ok).toBe(true);
    expect(
      rejected(parsePublishRequest(jsonRequest({ event_type: 'e'.repeat(256), payload: {} }))).details[0]
        ?.path,
    ).toBe('event_type');
  });

  it('answers 400 for invalid JSON without quoting the body', () => {
    const rejection = rejected(parsePublishRequest(jsonRequest('{"event_type": "t", "payload": {password')));
    expect(rejection.status).toBe(400);
    expect(rejection.details).toEqual([{ path: 'body', message: 'Not valid JSON' }]);
    expect(JSON.stringify(rejection)).not.toContain('password');
  });

  it('accepts a payload of exactly 256 KB and refuses one byte more with 413', () => {
    expect(
      parsePublishRequest(jsonRequest({ event_type: 't', payload: payloadOfSize(MAX_PAYLOAD_BYTES) })).ok,
    ).toBe(true);
    const rejection = rejected(
      parsePublishRequest(jsonRequest({ event_type: 't', payload: payloadOfSize(MAX_PAYLOAD_BYTES + 1) })),
    );
    expect(rejection.status).toBe(413);
    expect(rejection.details[0]?.path).toBe('payload');
  });

  it('lets a maximal payload with a maximal envelope through the pre-parse size limit', () => {
    const body = JSON.stringify({
      event_type: '\u0001'.repeat(255),
      source: '\u0001'.repeat(255),
      idempotency_key: '\u0001'.repeat(255),
      payload: payloadOfSize(MAX_PAYLOAD_BYTES),
    });
    // The handler factory refuses bodies larger than MAX_EVENT_REQUEST_BYTES before parsing.
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_EVENT_REQUEST_BYTES);
    expect(parsePublishRequest(jsonRequest(body)).ok).toBe(true);
  });

  it('answers 415 for other content types', () => {
    const rejection = rejected(
      parsePublishRequest({ headers: { 'content-type': 'text/plain' }, body: 'hi' }),
    );
    expect(rejection.status).toBe(415);
  });

  it('reads a base64-encoded body', () => {
    const body = Buffer.from(JSON.stringify({ event_type: 't', payload: { ok: true } })).toString('base64');
    const event = accepted(parsePublishRequest({ headers: {}, body, isBase64Encoded: true }));
    expect(event.payload).toEqual({ ok: true });
  });
});

describe('parsePublishRequest: CloudEvents structured mode', () => {
  const base = {
    specversion: '1.0',
    id: 'A234-1234-1234',
    source: '/shop/orders',
    type: 'com.example.order.placed',
    time: '2025-06-01T11:59:00Z',
    subject: 'order-42',
    datacontenttype: 'application/json',
    data: { orderId: 42 },
    tenantregion: 'eu',
  };
  const request = (body: unknown, headers: Record<string, string> = {}) => ({
    headers: { 'content-type': `${CLOUDEVENTS_MEDIA_TYPE}; charset=utf-8`, ...headers },
    body: JSON.stringify(body),
  });

  it('maps type, source and data, and keeps context attributes and extensions', () => {
    const event = accepted(parsePublishRequest(request(base)));
    expect(event).toEqual<PublishedEvent>({
      format: 'cloudevents-structured',
      eventType: 'com.example.order.placed',
      source: '/shop/orders',
      payload: { orderId: 42 },
      idempotencyKey: JSON.stringify(['/shop/orders', 'A234-1234-1234']),
      attributes: {
        specversion: '1.0',
        id: 'A234-1234-1234',
        time: '2025-06-01T11:59:00Z',
        subject: 'order-42',
        datacontenttype: 'application/json',
        tenantregion: 'eu',
      },
    });
  });

  it('uses source + id as the dedup key unless an Idempotency-Key header is given', () => {
    const a = accepted(parsePublishRequest(request(base)));
    const b = accepted(parsePublishRequest(request({ ...base, data: { other: true } })));
    const c = accepted(parsePublishRequest(request({ ...base, source: '/shop/other' })));
    expect(a.idempotencyKey).toBe(b.idempotencyKey);
    expect(a.idempotencyKey).not.toBe(c.idempotencyKey);
    expect(accepted(parsePublishRequest(request(base, { 'idempotency-key': 'mine' }))).idempotencyKey).toBe(
      'mine',
    );
  });

  it('decodes data_base64 of JSON content, and wraps other bytes and non-object data', () => {
    const json = Buffer.from(JSON.stringify({ n: 1 })).toString('base64');
    const { data: _data, ...noData } = base;
    expect(accepted(parsePublishRequest(request({ ...noData, data_base64: json }))).payload).toEqual({
      n: 1,
    });
    const bytes = Buffer.from([0, 1, 2, 255]).toString('base64');
    const binary = accepted(
      parsePublishRequest(
        request({ ...noData, datacontenttype: 'application/octet-stream', data_base64: bytes }),
      ),
    );
    expect(binary.payload).toEqual({ data_base64: bytes });
    expect(binary.attributes.datacontenttype).toBe('application/octet-stream');
    expect(accepted(parsePublishRequest(request({ ...base, data: [1, 2] }))).payload).toEqual({
      data: [1, 2],
    });
    expect(accepted(parsePublishRequest(request(noData))).payload).toEqual({});
  });

  it('rejects a wrong specversion, missing required attributes and bad extension names, field by field', () => {
    const { id: _id, ...noId } = base;
    const rejection = rejected(parsePublishRequest(request({ ...noId, specversion: '0.3', BadName: 'x' })));
    expect(rejection.status).toBe(400);
    expect(rejection.details.map((d) => d.path).sort()).toEqual(['BadName', 'id', 'specversion']);
  });

  it('rejects data and data_base64 together, bad base64 and a bad time', () => {
    const both = rejected(parsePublishRequest(request({ ...base, data_base64: 'AAAA' })));
    expect(both.details.map((d) => d.path)).toContain('data_base64');
    const { data: _data, ...noData } = base;
    expect(rejected(parsePublishRequest(request({ ...noData, data_base64: '***' }))).details[0]?.path).toBe(
      'data_base64',
    );
    expect(rejected(parsePublishRequest(request({ ...base, time: 'yesterday' }))).details[0]?.path).toBe(
      'time',
    );
  });

  it('applies the payload limit to data (413 at data)', () => {
    const rejection = rejected(
      parsePublishRequest(request({ ...base, data: payloadOfSize(MAX_PAYLOAD_BYTES + 1) })),
    );
    expect(rejection.status).toBe(413);
    expect(rejection.details[0]?.path).toBe('data');
  });
});

describe('parsePublishRequest: CloudEvents binary mode', () => {
  const ceHeaders = {
    'ce-specversion': '1.0',
    'ce-id': 'evt-1',
    'ce-source': '/billing',
    'ce-type': 'invoice.paid',
    'ce-subject': 'caf%C3%A9',
    'ce-traceparent': '00-abc-01',
  };

  it('takes attributes from ce-* headers (percent-decoded) and data from the JSON body', () => {
    const event = accepted(
      parsePublishRequest({
        headers: { ...ceHeaders, 'Content-Type': 'application/json' },
        body: JSON.stringify({ amount: 10 }),
      }),
    );
    expect(event.format).toBe('cloudevents-binary');
    expect(event.eventType).toBe('invoice.paid');
    expect(event.source).toBe('/billing');
    expect(event.payload).toEqual({ amount: 10 });
    expect(event.attributes).toMatchObject({ id: 'evt-1', subject: 'café', traceparent: '00-abc-01' });
    expect(event.attributes.datacontenttype).toBe('application/json');
    expect(event.idempotencyKey).toBe(JSON.stringify(['/billing', 'evt-1']));
  });

  it('carries a non-JSON body as base64', () => {
    const event = accepted(
      parsePublishRequest({ headers: { ...ceHeaders, 'content-type': 'text/plain' }, body: 'hello' }),
    );
    expect(event.payload).toEqual({ data_base64: Buffer.from('hello').toString('base64') });
  });

  it('points at the header of a missing or malformed attribute', () => {
    const { 'ce-type': _type, ...noType } = ceHeaders;
    expect(rejected(parsePublishRequest({ headers: noType, body: '{}' })).details[0]?.path).toBe(
      'headers.ce-type',
    );
    const bad = rejected(parsePublishRequest({ headers: { ...ceHeaders, 'ce-id': '%E0%A4%A' }, body: '{}' }));
    expect(bad.details[0]?.path).toBe('headers.ce-id');
  });

  it('refuses an extension name that CloudEvents does not allow, and datacontenttype as a header', () => {
    const rejection = rejected(
      parsePublishRequest({
        headers: { ...ceHeaders, 'ce-my_ext': 'x', 'ce-datacontenttype': 'a/b' },
        body: '{}',
      }),
    );
    expect(rejection.details.map((d) => d.path).sort()).toEqual([
      'headers.ce-datacontenttype',
      'headers.ce-my_ext',
    ]);
    const typeHeader = rejected(
      parsePublishRequest({ headers: { ...ceHeaders, 'ce-datacontenttype': 'a/b' }, body: '{}' }),
    );
    expect(typeHeader.details.map((d) => d.path)).toEqual(['headers.ce-datacontenttype']);
  });

  it('answers 400 for a JSON body that does not parse', () => {
    const rejection = rejected(
      parsePublishRequest({ headers: { ...ceHeaders, 'content-type': 'application/json' }, body: '{nope' }),
    );
    expect(rejection.details[0]?.path).toBe('body');
  });
});

describe('parseBatchRequest', () => {
  it('returns one item per event, rejecting only the bad ones', () => {
    const items = accepted(
      parseBatchRequest(
        jsonRequest({
          events: [
            { event_type: 'a', payload: {} },
            { event_type: '', payload: {} },
            { event_type: 'c', payload: payloadOfSize(MAX_PAYLOAD_BYTES + 1) },
          ],
        }),
      ),
    );
    expect(items.map((i) => [i.index, i.ok])).toEqual([
      [0, true],
      [1, false],
      [2, false],
    ]);
    const second = items[1];
    expect(second && !second.ok ? second.rejection.details[0]?.path : undefined).toBe('event_type');
    const third = items[2];
    expect(third && !third.ok ? third.rejection.status : undefined).toBe(413);
  });

  it('marks a repeated idempotency key inside the batch as a duplicate of the first', () => {
    const items = accepted(
      parseBatchRequest(
        jsonRequest({
          events: [
            { event_type: 'a', payload: {}, idempotency_key: 'k' },
            { event_type: 'b', payload: {} },
            { event_type: 'a', payload: {}, idempotency_key: 'k' },
          ],
        }),
      ),
    );
    const third = items[2];
    expect(third?.ok && third.duplicateOfIndex).toBe(0);
    const first = items[0];
    expect(first?.ok && first.duplicateOfIndex).toBeUndefined();
  });

  it('refuses an empty batch, more than 100 events, and an Idempotency-Key header', () => {
    expect(rejected(parseBatchRequest(jsonRequest({ events: [] }))).status).toBe(400);
    const many = Array.from({ length: 101 }, () => ({ event_type: 't', payload: {} }));
    expect(rejected(parseBatchRequest(jsonRequest({ events: many }))).details[0]?.path).toBe('events');
    expect(parseBatchRequest(jsonRequest({ events: many.slice(0, 100) })).ok).toBe(true);
    const withHeader = rejected(
      parseBatchRequest(jsonRequest({ events: many.slice(0, 1) }, { 'idempotency-key': 'x' })),
    );
    expect(withHeader.details[0]?.path).toBe('headers.idempotency-key');
  });

  it('accepts a CloudEvents batch (JSON array of structured events)', () => {
    const ce = { specversion: '1.0', id: '1', source: '/s', type: 't', data: { a: 1 } };
    const items = accepted(
      parseBatchRequest({
        headers: { 'content-type': CLOUDEVENTS_BATCH_MEDIA_TYPE },
        body: JSON.stringify([ce, { ...ce, id: '2' }, { ...ce, specversion: '2' }]),
      }),
    );
    expect(items.map((i) => i.ok)).toEqual([true, true, false]);
  });
});
