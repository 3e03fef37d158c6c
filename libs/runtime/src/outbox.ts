import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { findContract } from '@switchyard/contracts';
import type { Contract, MessageOf } from '@switchyard/contracts';
import { createStreamConsumer } from './stream-consumer';
import { buildMessages, publish } from './publish';
import type { PublishInput, PublishOptions } from './publish';

/**
 * Transactional outbox. A service that changes state and must tell the bus writes the event as an
 * item in the SAME DynamoDB transaction as the change (`outboxPut`); the table's stream feeds
 * `createOutboxPublisher`, which publishes each new outbox item. So an event is published if and only
 * if its change was committed: never lost after a 2xx, never sent for a change that rolled back.
 * Delivery is at least once (a stream batch can be retried); the message id is fixed when the item
 * is written, so consumers de-duplicate on it.
 */
export const OUTBOX_PREFIX = 'OUTBOX#';

/** Outbox items expire a day after they are written (TTL attribute `expiresAtEpoch`). */
const OUTBOX_TTL_SECONDS = 24 * 60 * 60;

export interface OutboxItem {
  pk: string;
  sk: 'OUTBOX';
  source: string;
  detailType: string;
  version: number;
  message: string;
  expiresAtEpoch: number;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The outbox item for one message, validated now so a bad event fails the transaction's caller. */
export function outboxItem<C extends Contract>(
  contract: C,
  input: PublishInput<C>,
  now = Date.now(),
): OutboxItem {
  const [message] = buildMessages(contract, input) as [MessageOf<C>];
  return {
    pk: `${OUTBOX_PREFIX}${message.id}`,
    sk: 'OUTBOX',
    source: contract.source,
    detailType: contract.detailType,
    version: contract.version,
    message: JSON.stringify(message),
    expiresAtEpoch: Math.floor(now / 1000) + OUTBOX_TTL_SECONDS,
  };
}

/** A TransactWriteItems entry writing `input` to the outbox of `tableName`. */
export function outboxPut<C extends Contract>(
  tableName: string,
  contract: C,
  input: PublishInput<C>,
): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: outboxItem(contract, input),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    },
  };
}

export function isOutboxItem(
  item: Record<string, unknown> | undefined,
): item is Record<string, unknown> & OutboxItem {
  return typeof item?.pk === 'string' && item.pk.startsWith(OUTBOX_PREFIX) && item.sk === 'OUTBOX';
}

/**
 * The stream handler that publishes new outbox items. Other changes on the table are ignored. A
 * message whose contract is unknown, or which no longer validates, fails its record (and, after the
 * stream's retries, goes to the on-failure destination) rather than being dropped.
 */
export function createOutboxPublisher(options: PublishOptions = {}) {
  return createStreamConsumer<Record<string, unknown>>({
    handleRecord: async (change) => {
      if (change.eventName !== 'INSERT' || !isOutboxItem(change.newImage)) return;
      const item = change.newImage;
      const contract = findContract(item.source, item.detailType, Number(item.version));
      if (!contract)
        throw new Error(
          `outbox item ${item.pk}: no contract ${item.source} ${item.detailType} v${item.version}`,
        );
      const message = JSON.parse(item.message) as PublishInput<Contract>;
      const result = await publish(contract, message, {
        ...options,
        correlationId: String(message.correlationId),
      });
      if (result.failed.length > 0) {
        const failure = result.failed[0];
        throw new Error(
          `outbox item ${item.pk} not published: ${failure?.errorCode} ${failure?.errorMessage}`,
        );
      }
    },
  });
}
