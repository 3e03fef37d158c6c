/**
 * SES bounce and complaint notifications (configuration set → SNS topic → `notifications-<stage>-feedback`)
 * → the suppression list. SES's own JSON, not a contract, so not the contract consumer: each record
 * is applied alone and a failed one is reported back for SQS to retry (then its DLQ).
 */
import { logger } from '@switchyard/runtime';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { feedbackDeps } from '../app/deps';
import { applySesFeedback } from '../app/feedback';

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const suppressed = await applySesFeedback(record.body, feedbackDeps());
      // Addresses are personal data: log how many and why, not which.
      if (suppressed.length > 0)
        logger.info('suppressed', { count: suppressed.length, reasons: suppressed.map((s) => s.reason) });
    } catch (error) {
      logger.error('SES feedback not applied', { error, messageId: record.messageId });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
