import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { dynamoDbClient } from './aws-clients';

/**
 * Powertools idempotency on the DynamoDB table named by env `IDEMPOTENCY_TABLE_NAME` (partition key
 * `id` (S), TTL on `expiration`). A repeat within the expiry window returns the stored result without
 * running the function; a repeat whose key matches but whose validated payload differs throws
 * IdempotencyValidationError (the same key reused for different content is a bug, not a retry).
 */

/** 24 h: outlasts EventBridge's retry window (24 h) and typical SQS redelivery of a message. */
export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = 24 * 60 * 60;

export interface IdempotencyOptions {
  /** JMESPath to the key in the payload (the function's first argument), e.g. `id` or `detail.id`. */
  eventKeyJmesPath: string;
  /**
   * JMESPath to the part that must be identical on a repeat, e.g. `[tenantId, amount]`. Required so
   * validation is always on; never the whole SQS record (its receive count changes on redelivery).
   */
  payloadValidationJmesPath: string;
  expiresAfterSeconds?: number;
  /** Defaults to the function name, so two functions on one table never share keys. */
  keyPrefix?: string;
  /** Defaults to env `IDEMPOTENCY_TABLE_NAME`. */
  tableName?: string;
}

export function createIdempotencyConfig(
  options: Pick<IdempotencyOptions, 'eventKeyJmesPath' | 'payloadValidationJmesPath' | 'expiresAfterSeconds'>,
): IdempotencyConfig {
  if (!options.payloadValidationJmesPath) {
    throw new Error('idempotency: payloadValidationJmesPath is required (payload validation stays on)');
  }
  return new IdempotencyConfig({
    eventKeyJmesPath: options.eventKeyJmesPath,
    payloadValidationJmesPath: options.payloadValidationJmesPath,
    expiresAfterSeconds: options.expiresAfterSeconds ?? DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
    // A payload without the key would silently run without protection; fail loudly instead.
    throwOnNoIdempotencyKey: true,
    // Off: a per-process cache would hide the table's state from concurrent instances and from tests.
    useLocalCache: false,
  });
}

export function createIdempotencyStore(
  tableName = process.env.IDEMPOTENCY_TABLE_NAME,
): DynamoDBPersistenceLayer {
  if (!tableName) throw new Error('IDEMPOTENCY_TABLE_NAME is not set');
  return new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: dynamoDbClient() });
}

/**
 * Makes `fn` idempotent on its first argument. Works for Lambda handlers `(event, context)` and for
 * per-record functions `(message, ctx)`: when `ctx.lambdaContext` is present (as in the SQS consumer's
 * context) it is registered so an in-progress record expires with the invocation's remaining time.
 * The result must be JSON-serialisable: a repeat returns the stored JSON.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function makeIdempotentHandler<F extends (...args: any[]) => Promise<any>>(
  fn: F,
  options: IdempotencyOptions,
): F {
  const config = createIdempotencyConfig(options);
  const idempotent = makeIdempotent(fn, {
    persistenceStore: createIdempotencyStore(options.tableName),
    config,
    ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
  });
  return ((...args: Parameters<F>) => {
    const lambdaContext = (args[1] as { lambdaContext?: Context } | undefined)?.lambdaContext;
    if (lambdaContext) config.registerLambdaContext(lambdaContext);
    return idempotent(...args);
  }) as unknown as F;
}
