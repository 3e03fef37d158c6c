import { createHmac } from 'node:crypto';
import { verifyWebhookSignature } from '../../src/smoke';

// The smoke test's check of a delivery's signature (the e2e suite checks it on delivery's own).
describe('verifyWebhookSignature', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const body = '{"type":"smoke.check","timestamp":"2025-03-14T12:00:00Z","data":{"runId":"r"}}';
  const sign = (text: string) =>
    createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(text)
      .digest('base64');
  const headers = (signature: string) => ({
    'webhook-id': 'msg_1',
    'webhook-timestamp': '1741953600',
    'webhook-signature': signature,
  });

  it('accepts the v1 signature of id.timestamp.body, among others', () => {
    const good = sign(`msg_1.1741953600.${body}`);
    expect(verifyWebhookSignature(secret, headers(`v1,${good}`), body)).toBe(true);
    expect(verifyWebhookSignature(secret, headers(`v1,AAAA v1,${good}`), body)).toBe(true);
  });

  it('refuses another body, another id, another version or no signature', () => {
    const good = sign(`msg_1.1741953600.${body}`);
    expect(verifyWebhookSignature(secret, headers(`v1,${good}`), `${body} `)).toBe(false);
    expect(verifyWebhookSignature(secret, { ...headers(`v1,${good}`), 'webhook-id': 'msg_2' }, body)).toBe(
      false,
    );
    expect(verifyWebhookSignature(secret, headers(`v2,${good}`), body)).toBe(false);
    expect(verifyWebhookSignature(secret, { 'webhook-id': 'msg_1' }, body)).toBe(false);
  });
});
