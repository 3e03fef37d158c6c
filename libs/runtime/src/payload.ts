/**
 * Consumer side of the claim check (EventReceived and any message built the same way): a payload
 * too large for one EventBridge entry travels as `payloadRef` (bucket, key, size, sha256) instead of
 * inline. `resolveEventPayload` hides the difference: it returns the inline payload, or fetches the
 * object and returns it only when its size and SHA-256 match the reference (never trust a payload
 * on receipt). The consumer's role needs `s3:GetObject` on the producer's payload bucket.
 */
import { createHash } from 'node:crypto';
import { s3Client, s3Sdk } from './aws-clients';

export interface PayloadReference {
  bucket: string;
  key: string;
  size: number;
  sha256: string;
}

/** A message that carries a JSON-object payload inline or by reference (exactly one of them). */
export interface PayloadCarrier {
  payload?: Record<string, unknown>;
  payloadRef?: PayloadReference;
}

/** The referenced object is missing, has been changed, or is not a JSON object. */
export class PayloadIntegrityError extends Error {
  readonly reason: 'size' | 'digest' | 'not_json_object' | 'missing';
  constructor(reason: PayloadIntegrityError['reason'], ref?: PayloadReference) {
    super(
      ref
        ? `payload s3://${ref.bucket}/${ref.key} failed verification: ${reason}`
        : `message carries neither payload nor payloadRef`,
    );
    this.name = 'PayloadIntegrityError';
    this.reason = reason;
  }
}

/** Checks fetched bytes against their reference and parses them. */
export function verifyPayloadBytes(ref: PayloadReference, bytes: Uint8Array): Record<string, unknown> {
  if (bytes.length !== ref.size) throw new PayloadIntegrityError('size', ref);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== ref.sha256) throw new PayloadIntegrityError('digest', ref);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new PayloadIntegrityError('not_json_object', ref);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PayloadIntegrityError('not_json_object', ref);
  }
  return value as Record<string, unknown>;
}

/**
 * The payload of `message`, whether it came inline or by reference. Throws PayloadIntegrityError
 * when the stored object does not match its reference; S3 errors (access, not found) propagate, so
 * the consumer fails the record and it is retried or dead-lettered.
 */
export async function resolveEventPayload(message: PayloadCarrier): Promise<Record<string, unknown>> {
  if (message.payload !== undefined) return message.payload;
  const ref = message.payloadRef;
  if (ref === undefined) throw new PayloadIntegrityError('missing');
  const object = await s3Client().send(new (s3Sdk().GetObjectCommand)({ Bucket: ref.bucket, Key: ref.key }));
  if (!object.Body) throw new PayloadIntegrityError('size', ref);
  const bytes = await object.Body.transformToByteArray();
  return verifyPayloadBytes(ref, bytes);
}
