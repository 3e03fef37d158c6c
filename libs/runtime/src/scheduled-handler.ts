import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { runWithCorrelationId } from './correlation';
import { logger as defaultLogger } from './logger';
import { baseMiddleware } from './middleware';
import type { ContextWithCorrelationId } from './middleware';

/**
 * The handler of a function an EventBridge schedule (`schedule: rate(...)`) triggers, so every
 * scheduled job looks alike: middy with the shared base middleware (Lambda context and the run's
 * correlation id on every log line, the EventBridge event id when it is one), the correlation id
 * as the default of everything the run publishes, and one `scheduled run` log line with the job's
 * name, latency and what `run` returned.
 *
 * An error is logged (with its stack) and thrown on: the invocation fails, so Lambda's retries of
 * the asynchronous invocation and the function's error metric and alarms see it. A job that must
 * go on past one bad item catches per item and reports it in its result instead.
 */
export interface ScheduledHandlerOptions<R> {
  /** The job's name on the log line, e.g. `sweep-due-retries`. */
  name: string;
  run: (input: { event: unknown; context: ContextWithCorrelationId; correlationId: string }) => Promise<R>;
  logger?: Logger;
}

export type ScheduledHandler<R> = (event: unknown, context: Context) => Promise<R>;

export function createScheduledHandler<R>(options: ScheduledHandlerOptions<R>): ScheduledHandler<R> {
  const log = options.logger ?? defaultLogger;
  const handler = middy<unknown, R, Error, ContextWithCorrelationId>()
    .use(
      baseMiddleware<unknown, R>({
        correlationId: (event) => (event as { id?: unknown } | null | undefined)?.id,
        logger: log,
      }),
    )
    .handler(async (event, context) => {
      const started = performance.now();
      const result = await runWithCorrelationId(context.correlationId, () =>
        options.run({ event, context, correlationId: context.correlationId }),
      );
      log.info('scheduled run', {
        job: options.name,
        latencyMs: Math.round(performance.now() - started),
        ...(result === undefined ? {} : { result }),
      });
      return result;
    });
  return handler as unknown as ScheduledHandler<R>;
}
