import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * The request body exactly as the sender's bytes: a Stripe signature covers the raw body, so it is
 * verified before (and instead of) any JSON parsing. API Gateway base64-encodes bodies it does not
 * treat as text.
 */
export function rawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}
