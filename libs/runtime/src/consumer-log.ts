import { logger } from './logger';

/**
 * The one log line every consumer (SQS or stream) writes when a record fails, at error level:
 * `{ message: 'consumer_failure', kind, messageId, reason, ... }`. Why a record failed cannot travel
 * with it (SQS attributes are fixed at send time, a redrive or a stream's on-failure destination
 * copies the record unchanged), so this line is where an operator finds it.
 */
export interface ConsumerFailureLine {
  kind: 'poison' | 'handler_error';
  /** SQS message id, or the stream record's event id. */
  messageId: string | undefined;
  reason: string;
  /** Logged with its stack when it is an Error. */
  error?: unknown;
  [field: string]: unknown;
}

export function logConsumerFailure({ error, ...fields }: ConsumerFailureLine): void {
  logger.error({ message: 'consumer_failure', ...fields, ...(error instanceof Error ? { error } : {}) });
}

/** The message of an error, or the thrown value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
