import { createHash } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { resetAwsClients } from '../../src/aws-clients';
import { PayloadIntegrityError, resolveEventPayload, verifyPayloadBytes } from '../../src/payload';

const s3 = mockClient(S3Client);

// The part of the SDK's stream mixin resolveEventPayload uses.
const body = (text: string) =>
  ({ transformToByteArray: async () => new Uint8Array(Buffer.from(text, 'utf8')) }) as never;
const refFor = (text: string) => ({
  bucket: 'ingest-local-payloads',
  key: 'tenants/t1/payloads/2025/06/01/E1.json',
  size: Buffer.byteLength(text),
  sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
});

describe('resolveEventPayload', () => {
  beforeEach(() => {
    s3.reset();
    resetAwsClients();
  });

  it('returns an inline payload without touching S3', async () => {
    await expect(resolveEventPayload({ payload: { a: 1 } })).resolves.toEqual({ a: 1 });
    expect(s3.calls()).toHaveLength(0);
  });

  it('fetches a referenced payload and returns it when size and SHA-256 match', async () => {
    const text = JSON.stringify({ big: 'ü'.repeat(1000) });
    s3.on(GetObjectCommand).resolves({ Body: body(text) });
    const ref = refFor(text);
    await expect(resolveEventPayload({ payloadRef: ref })).resolves.toEqual({ big: 'ü'.repeat(1000) });
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({ Bucket: ref.bucket, Key: ref.key });
  });

  it('refuses an object whose bytes were changed (same size, other digest)', async () => {
    const text = JSON.stringify({ v: 1 });
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify({ v: 2 })) });
    await expect(resolveEventPayload({ payloadRef: refFor(text) })).rejects.toMatchObject({
      name: 'PayloadIntegrityError',
      reason: 'digest',
    });
  });

  it('refuses an object of another size', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('{"v":10}') });
    await expect(resolveEventPayload({ payloadRef: refFor('{"v":1}') })).rejects.toMatchObject({
      reason: 'size',
    });
  });

  it('refuses a message with neither payload nor reference', async () => {
    await expect(resolveEventPayload({})).rejects.toBeInstanceOf(PayloadIntegrityError);
  });

  it('lets S3 errors through so the consumer retries the record', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' }));
    await expect(resolveEventPayload({ payloadRef: refFor('{}') })).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('verifyPayloadBytes refuses JSON that is not an object', () => {
    const text = '[1,2]';
    expect(() => verifyPayloadBytes(refFor(text), Buffer.from(text))).toThrow(/not_json_object/);
  });
});
