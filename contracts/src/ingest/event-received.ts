import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, sha256Hex, timestamp } from '../fields';

/** Where an oversized payload was stored instead of travelling in the event (claim check). */
export const payloadRef = z.object({
  bucket: z.string().min(3).max(63),
  key: z.string().min(1).max(1024),
  size: z.number().int().positive().describe('Payload size in bytes.'),
  sha256: sha256Hex().describe('SHA-256 of the stored bytes; readers verify it before use.'),
});

export const EventReceived = defineContract({
  service: 'ingest',
  detailType: 'EventReceived',
  version: 1,
  description:
    'A producer published an event and ingest stored it durably. The payload travels inline when ' +
    'the whole EventBridge entry fits in 256 KB; otherwise it is stored in S3 and `payloadRef` points ' +
    'to it. Exactly one of `payload` and `payloadRef` is present.',
  exactlyOneOf: ['payload', 'payloadRef'],
  body: {
    eventId: identifier(),
    eventType: z.string().min(1).max(255).describe("The producer's own type name, e.g. order.placed."),
    source: z.string().min(1).max(255).describe('The producer-declared origin of the event.'),
    receivedAt: timestamp(),
    idempotencyKey: z.string().min(1).max(255).optional(),
    apiKeyId: identifier().optional().describe('API key the producer authenticated with.'),
    payload: z.record(z.string(), z.unknown()).optional().describe('The event body (a JSON object).'),
    payloadRef: payloadRef.optional(),
  },
});
export type EventReceived = MessageOf<typeof EventReceived>;
