/**
 * How publishing answers over HTTP: a refused request as the runtime's HttpError (one error shape,
 * field-level details), and a batch's results as 202 or 207.
 */
import { HttpError } from '@switchyard/runtime';
import type { BatchItemResult } from '../domain/events';
import type { RequestRejection } from './publish-request';

/** A rejection as the runtime's HttpError. */
export function rejectionError(rejection: RequestRejection): HttpError {
  return new HttpError(rejection.status, rejection.code, rejection.message, { details: rejection.details });
}

export interface BatchResponse {
  /** 202 when every item was accepted (or was a duplicate); 207 when any item was rejected. */
  status: 202 | 207;
  body: { results: BatchItemResult[]; accepted: number; duplicates: number; rejected: number };
}

/** The results in request order, with the three counts. */
export function batchResponse(results: readonly BatchItemResult[]): BatchResponse {
  const sorted = [...results].sort((a, b) => a.index - b.index);
  const count = (status: BatchItemResult['status']) => sorted.filter((r) => r.status === status).length;
  const rejected = count('rejected');
  return {
    status: rejected > 0 ? 207 : 202,
    body: { results: sorted, accepted: count('accepted'), duplicates: count('duplicate'), rejected },
  };
}
