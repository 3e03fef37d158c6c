/**
 * Telling a lost condition from a real failure, for DynamoDB's conditional writes and transactions.
 * Errors are recognised by name, not `instanceof`: a bundle may hold two copies of the SDK, and the
 * document client and tests throw errors built elsewhere.
 */
import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDbDocumentClient } from './aws-clients';

export type { CancellationReason };

/** A single write (Put, Update, Delete) whose ConditionExpression did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Why DynamoDB cancelled a TransactWriteItems, one reason per item in request order (`Code` is
 * `None` for items that were fine; `Item` holds the current item when the request asked for it);
 * undefined for any other error.
 */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  return (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
}

/**
 * A transaction cancelled because a condition failed: the condition of item `itemIndex` when
 * given, of any item otherwise (not a conflict with another transaction, not a throttle).
 */
export function isCancelledByCondition(error: unknown, itemIndex?: number): boolean {
  const reasons = cancellationReasons(error);
  if (!reasons) return false;
  const failed = (reason: CancellationReason | undefined) => reason?.Code === 'ConditionalCheckFailed';
  return itemIndex === undefined ? reasons.some(failed) : failed(reasons[itemIndex]);
}

/**
 * Awaits a conditional write (or transaction): true when it was written, false when its condition
 * did not hold. For a transaction, `guardedItem` names the one item whose failed condition means
 * "already done" (a failure of any other item's condition is then thrown, as a bug). Any other
 * error is thrown.
 */
export async function conditionalWrite(
  write: Promise<unknown>,
  options: { guardedItem?: number } = {},
): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (options.guardedItem !== undefined) {
      if (isCancelledByCondition(error, options.guardedItem)) return false;
    } else if (isConditionFailure(error) || isCancelledByCondition(error)) return false;
    throw error;
  }
}

/**
 * Reads `key`, or writes `create()` there with `attribute_not_exists(pk)` and, when another
 * instance won the race, reads the winner's item back (consistently), so every instance agrees:
 * for values made once per table (secrets, keys) without configuration.
 */
export async function getOrCreateItem<T extends Record<string, unknown>>(
  tableName: string,
  key: { pk: string; sk: string },
  create: () => Promise<T> | T,
  client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
): Promise<T> {
  const read = () => client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  const existing = await read();
  if (existing.Item) return existing.Item as T;
  const item = { ...(await create()), ...key };
  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      }),
    );
    return item;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const winner = await read();
    if (!winner.Item)
      throw new Error(`item ${key.pk}/${key.sk} vanished after a conditional put`, { cause: error });
    return winner.Item as T;
  }
}
