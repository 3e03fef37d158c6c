import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured JSON logger of a function. Powertools reads POWERTOOLS_SERVICE_NAME and
 * POWERTOOLS_LOG_LEVEL from the environment the template declares. Handlers add the correlation id
 * per invocation with `logger.appendKeys({ correlationId })` (the handler factory does it).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'switchyard' });
