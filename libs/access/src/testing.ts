import { createHash } from 'node:crypto';

/**
 * For tests: an API key in identity's published format with its projection's secret hash, built by
 * hand (not by identity's code), so tests pin the format rather than one implementation of it.
 */
export function handMadeApiKey(
  keyId = 'abcdefghjkmnpqrstvwx',
  fill = 7,
  environment: 'live' | 'test' = 'live',
) {
  const secret = Buffer.alloc(32, fill).toString('base64url');
  return {
    keyId,
    secret,
    plaintext: `sy_${environment}_${keyId}_${secret}`,
    secretHash: createHash('sha256').update(secret, 'utf8').digest('hex'),
  };
}
