/**
 * The S3 side of the claim check: payloads too large for one EventBridge entry are written to
 * PAYLOAD_BUCKET (tenant-scoped keys, domain claim-check.ts) before EventReceived is published with
 * `payloadRef`. S3 verifies the SHA-256 on upload (`ChecksumSHA256`), and the object carries it as
 * metadata so a reader can check it without trusting the event alone.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Client, s3Sdk } from '@switchyard/runtime';
import type { ClaimCheckPlan } from '../domain/claim-check';

export type ClaimedObject = Extract<ClaimCheckPlan, { mode: 'reference' }>['object'];

export interface PayloadStore {
  put(object: ClaimedObject): Promise<void>;
}

export function createPayloadStore(client: () => S3Client = s3Client): PayloadStore {
  return {
    async put(object) {
      await client().send(
        new (s3Sdk().PutObjectCommand)({
          Bucket: object.bucket,
          Key: object.key,
          Body: object.body,
          ContentType: object.contentType,
          ContentLength: object.body.length,
          ChecksumSHA256: Buffer.from(object.sha256, 'hex').toString('base64'),
          Metadata: { sha256: object.sha256 },
        }),
      );
    },
  };
}

let store: PayloadStore | undefined;
export function payloadStore(): PayloadStore {
  store ??= createPayloadStore();
  return store;
}
