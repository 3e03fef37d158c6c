/** The queue port over the AWS SDK's SQS client (local cloud and AWS alike). */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import type { QueuePort } from './engine';

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function sqsPort(sqs: SQSClient): QueuePort {
  return {
    async receive(queueUrl, options) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: options.max,
          VisibilityTimeout: options.visibilityTimeout,
          WaitTimeSeconds: options.waitSeconds,
          MessageSystemAttributeNames: ['All'],
          AttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      return Messages;
    },
    async send(queueUrl, message) {
      const attributes = message.MessageAttributes as Record<string, MessageAttributeValue> | undefined;
      const fifo = queueUrl.endsWith('.fifo');
      const { MessageId } = await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: message.Body ?? '',
          ...(attributes && Object.keys(attributes).length ? { MessageAttributes: attributes } : {}),
          ...(fifo
            ? {
                MessageGroupId: message.Attributes?.MessageGroupId ?? 'replay',
                MessageDeduplicationId: message.MessageId,
              }
            : {}),
        }),
      );
      return MessageId;
    },
    async delete(queueUrl, receiptHandle) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
    },
    async deleteBatch(queueUrl, receiptHandles) {
      const failed: string[] = [];
      for (const chunk of chunks(receiptHandles, 10)) {
        const out = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle })),
          }),
        );
        for (const failure of out.Failed ?? []) failed.push(chunk[Number(failure.Id)]!);
      }
      return { failed };
    },
    async release(queueUrl, receiptHandles) {
      for (const chunk of chunks(receiptHandles, 10)) {
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((handle, index) => ({
              Id: String(index),
              ReceiptHandle: handle,
              VisibilityTimeout: 0,
            })),
          }),
        );
      }
    },
  };
}
