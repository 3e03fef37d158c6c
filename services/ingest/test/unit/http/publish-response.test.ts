import { acceptedBody, acceptedItem, newIngestedEvent, rejectedItem } from '../../../src/domain/events';
import { batchResponse, rejectionError } from '../../../src/http/publish-response';
import { NOW, TENANT } from '../domain/fixtures';

describe('publishing answers', () => {
  const stored = newIngestedEvent(
    { format: 'native', eventType: 'order.placed', payload: {}, source: 'api', attributes: {} },
    { tenantId: TENANT, eventId: 'evt_1', now: NOW, apiKeyId: 'key1' },
  );

  it('is 202 when every item went through and 207 when some were rejected, in index order', () => {
    const ok = batchResponse([
      acceptedItem(1, acceptedBody(stored, true)),
      acceptedItem(0, acceptedBody(stored, false)),
    ]);
    expect(ok.status).toBe(202);
    expect(ok.body.results.map((r) => [r.index, r.status])).toEqual([
      [0, 'accepted'],
      [1, 'duplicate'],
    ]);
    expect(ok.body).toMatchObject({ accepted: 1, duplicates: 1, rejected: 0 });
    const mixed = batchResponse([
      acceptedItem(0, acceptedBody(stored, false)),
      rejectedItem(1, {
        code: 'validation_failed',
        message: 'bad',
        details: [{ path: 'payload', message: 'x' }],
      }),
    ]);
    expect(mixed.status).toBe(207);
    expect(mixed.body.rejected).toBe(1);
  });

  it('turns a rejection into the HttpError of its status, code and field details', () => {
    const error = rejectionError({
      status: 415,
      code: 'unsupported_media_type',
      message: 'Content-Type must be application/json',
      details: [{ path: 'headers.content-type', message: 'Content-Type must be application/json' }],
    });
    expect(error).toMatchObject({
      status: 415,
      code: 'unsupported_media_type',
      message: 'Content-Type must be application/json',
      details: [{ path: 'headers.content-type', message: 'Content-Type must be application/json' }],
    });
  });
});
