import { evaluatePostObject, isPostObject, policySignature } from '../../../src/emulators/s3-post-object';

const NOW = new Date('2026-06-01T12:00:00Z');
const CREDENTIAL = 'local/20260601/us-east-1/s3/aws4_request';

function form(
  conditions: unknown[],
  options: { size?: number; extra?: Record<string, string>; expiration?: string; signature?: string } = {},
) {
  const policy = Buffer.from(
    JSON.stringify({ expiration: options.expiration ?? '2026-06-01T12:15:00Z', conditions }),
  ).toString('base64');
  const data = new FormData();
  data.append('key', 'a/b.png');
  data.append('Content-Type', 'image/png');
  data.append('X-Amz-Credential', CREDENTIAL);
  data.append('Policy', policy);
  data.append('X-Amz-Signature', options.signature ?? policySignature(policy, CREDENTIAL));
  for (const [name, value] of Object.entries(options.extra ?? {})) data.append(name, value);
  data.append('file', new Blob([Buffer.alloc(options.size ?? 10)]), 'b.png');
  return data;
}

const allowed = [
  { bucket: 'box' },
  { key: 'a/b.png' },
  ['eq', '$Content-Type', 'image/png'],
  { 'X-Amz-Credential': CREDENTIAL },
  ['content-length-range', 10, 10],
];

describe('POST Object', () => {
  it('recognises a multipart POST to a bucket root only', () => {
    expect(isPostObject('POST', '/box', 'multipart/form-data; boundary=x')).toBe(true);
    expect(isPostObject('POST', '/box/key', 'multipart/form-data; boundary=x')).toBe(false);
    expect(isPostObject('POST', '/box?delete', 'multipart/form-data; boundary=x')).toBe(false);
    expect(isPostObject('PUT', '/box', 'multipart/form-data')).toBe(false);
  });

  it('stores a form its policy allows', async () => {
    const outcome = await evaluatePostObject('box', form(allowed), NOW);
    expect(outcome.status).toBe(204);
    expect(outcome.put).toMatchObject({ bucket: 'box', key: 'a/b.png', contentType: 'image/png' });
    expect(outcome.put?.bytes.length).toBe(10);
  });

  it.each([
    ['a forged signature', form(allowed, { signature: 'f'.repeat(64) }), 403, 'SignatureDoesNotMatch'],
    ['an expired policy', form(allowed, { expiration: '2026-06-01T11:59:00Z' }), 403, 'AccessDenied'],
    ['a file over the range', form(allowed, { size: 11 }), 400, 'EntityTooLarge'],
    ['a file under the range', form(allowed, { size: 9 }), 400, 'EntityTooSmall'],
    ['a field no condition covers', form(allowed, { extra: { acl: 'public-read' } }), 403, 'AccessDenied'],
    ['another bucket', form([...allowed.slice(1), { bucket: 'other' }]), 403, 'AccessDenied'],
  ])('refuses %s', async (_, data, status, code) => {
    const outcome = await evaluatePostObject('box', data, NOW);
    expect([outcome.status, /<Code>(\w+)<\/Code>/.exec(outcome.body)?.[1]]).toEqual([status, code]);
    expect(outcome.put).toBeUndefined();
  });
});
