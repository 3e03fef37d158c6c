import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

/**
 * Powertools' own fields, less those every line of a function repeats for nothing: the function's
 * ARN and memory size (its log group and name say which function it is) and the sampling rate.
 * CloudWatch bills log ingestion by the byte, and on a path that logs two lines per event they were
 * a fifth of each line.
 */
export class CompactLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(additionalLogAttributes);
  }
}

/**
 * The one structured JSON logger of a function. Powertools reads POWERTOOLS_SERVICE_NAME and
 * POWERTOOLS_LOG_LEVEL from the environment the template declares. Handlers add the correlation id
 * per invocation with `logger.appendKeys({ correlationId })` (the handler factory does it).
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'switchyard',
  logFormatter: new CompactLogFormatter(),
});
