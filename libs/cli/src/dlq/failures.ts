/**
 * Why DLQ messages failed, as their consumer recorded it (libs/runtime/src/consumer-failures.ts):
 * the consumer function's configuration names the table (`CONSUMER_FAILURES_TABLE`), items are keyed
 * by SQS message id. A consumer that records nothing, or a table that cannot be read, yields a note,
 * never a failed peek.
 */
import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  CONSUMER_FAILURES_TABLE_VARIABLE,
  consumerFailureKey,
} from '@switchyard/runtime/src/consumer-failures';
import type { ConsumerFailureRecord } from '@switchyard/runtime/src/consumer-failures';

export interface FailureLookup {
  failures: Map<string, ConsumerFailureRecord>;
  /** Why some reasons could not be looked up (no table configured, access denied...). */
  notes: string[];
}

export async function lookupFailures(
  consumers: string[],
  messageIds: string[],
  clients: { lambda: LambdaClient; dynamodb: DynamoDBClient },
): Promise<FailureLookup> {
  const failures = new Map<string, ConsumerFailureRecord>();
  const notes: string[] = [];
  if (messageIds.length === 0) return { failures, notes };
  const tables = new Set<string>();
  for (const consumer of consumers) {
    try {
      const config = await clients.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: consumer }),
      );
      const table = config.Environment?.Variables?.[CONSUMER_FAILURES_TABLE_VARIABLE];
      if (table) tables.add(table);
      else
        notes.push(
          `${consumer} records no failure reasons (no ${CONSUMER_FAILURES_TABLE_VARIABLE}); search its logs for consumer_failure and the message id`,
        );
    } catch (error) {
      notes.push(`cannot read ${consumer}'s configuration: ${(error as Error).message}`);
    }
  }
  for (const table of tables) {
    const ids = [...new Set(messageIds)];
    for (let i = 0; i < ids.length; i += 100) {
      try {
        let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map((id) => {
          const key = consumerFailureKey(id);
          return { pk: { S: key.pk }, sk: { S: key.sk } };
        });
        for (let attempt = 0; keys && keys.length > 0 && attempt < 5; attempt++) {
          const out = await clients.dynamodb.send(
            new BatchGetItemCommand({
              RequestItems: { [table]: { Keys: keys as never, ConsistentRead: true } },
            }),
          );
          for (const item of out.Responses?.[table] ?? []) {
            const record = unmarshall(item) as ConsumerFailureRecord;
            const existing = failures.get(record.messageId);
            if (!existing || existing.lastFailedAt < record.lastFailedAt)
              failures.set(record.messageId, record);
          }
          keys = out.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
        }
      } catch (error) {
        notes.push(`cannot read failure reasons from ${table}: ${(error as Error).message}`);
        break;
      }
    }
  }
  return { failures, notes };
}
