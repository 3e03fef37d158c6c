import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import {
  baseMiddleware,
  isValidCorrelationId,
  resolveCorrelationId,
  withCorrelationId,
} from '../../src/middleware';
import type { ContextWithCorrelationId } from '../../src/middleware';
import { logger } from '../../src/logger';
import { lambdaContext, sqsEvent as sqsEventOf, sqsRecord } from '../../src/testing';
import { captureLogs } from '../support/http-event';

/** An SQS event whose one message carries `correlationId`. */
const sqsEvent = (correlationId?: string): SQSEvent => sqsEventOf(sqsRecord({ correlationId }));

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe('correlation ids', () => {
  it('accepts short inert tokens only', () => {
    expect(isValidCorrelationId('abc-123_x.y:z')).toBe(true);
    expect(isValidCorrelationId('a'.repeat(128))).toBe(true);
    expect(isValidCorrelationId('a'.repeat(129))).toBe(false);
    expect(isValidCorrelationId('a b')).toBe(false);
    expect(isValidCorrelationId('')).toBe(false);
    expect(isValidCorrelationId(42)).toBe(false);
  });

  it('generates a UUID for a missing or bad candidate', () => {
    expect(resolveCorrelationId('keep-me')).toBe('keep-me');
    expect(resolveCorrelationId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolveCorrelationId('<script>')).not.toBe('<script>');
  });
});

describe('baseMiddleware', () => {
  const build = (inner: (event: SQSEvent, context: ContextWithCorrelationId) => Promise<unknown>) =>
    middy<SQSEvent, unknown, Error, ContextWithCorrelationId>()
      .use(
        baseMiddleware<SQSEvent>({
          correlationId: (event) =>
            (JSON.parse(event.Records[0]?.body ?? '{}') as { correlationId?: string }).correlationId,
        }),
      )
      .handler(inner);

  it('exposes the id on the context and on log lines, then removes it', async () => {
    const handler = build(async (_event, context) => {
      logger.info('processing');
      return context.correlationId;
    });
    const result = await handler(sqsEvent('sqs-corr-1'), lambdaContext() as ContextWithCorrelationId);
    expect(result).toBe('sqs-corr-1');
    expect(logs.entries().find((e) => e.message === 'processing')).toMatchObject({
      correlationId: 'sqs-corr-1',
      function_name: 'switchyard-test-fn',
    });
    logger.info('later');
    expect(logs.entries().find((e) => e.message === 'later')).not.toHaveProperty('correlationId');
  });

  it("keeps the invocation's request id and cold start on log lines, not what every line repeats", async () => {
    const handler = build(async () => logger.info('processing'));
    await handler(sqsEvent('sqs-corr-2'), lambdaContext() as ContextWithCorrelationId);
    const line = logs.entries().find((e) => e.message === 'processing')!;
    expect(Object.keys(line)).toEqual(
      expect.arrayContaining(['level', 'timestamp', 'service', 'cold_start', 'function_request_id']),
    );
    for (const repeated of ['function_arn', 'function_memory_size', 'sampling_rate']) {
      expect(line).not.toHaveProperty(repeated);
    }
  });

  it('logs an unhandled error with its stack, rethrows it and still cleans up', async () => {
    const handler = build(async () => {
      throw new RangeError('poison record');
    });
    await expect(handler(sqsEvent('sqs-err-1'), lambdaContext() as ContextWithCorrelationId)).rejects.toThrow(
      'poison record',
    );
    const line = logs.entries().find((e) => e.level === 'ERROR');
    expect(line).toMatchObject({ message: 'Unhandled error', correlationId: 'sqs-err-1' });
    expect((line?.error as { stack?: string } | undefined)?.stack).toContain('RangeError');
    logger.info('next invocation');
    expect(logs.entries().find((e) => e.message === 'next invocation')).not.toHaveProperty('correlationId');
  });
});

describe('withCorrelationId', () => {
  it('tags log lines inside the callback and restores the outer id', async () => {
    const handler = middy<SQSEvent, unknown, Error, ContextWithCorrelationId>()
      .use(baseMiddleware<SQSEvent>({ correlationId: () => 'outer' }))
      .handler(async () => {
        await withCorrelationId('record-1', async () => logger.info('record'));
        logger.info('batch');
      });
    await handler(sqsEvent(), lambdaContext() as ContextWithCorrelationId);
    const entries = logs.entries();
    expect(entries.find((e) => e.message === 'record')?.correlationId).toBe('record-1');
    expect(entries.find((e) => e.message === 'batch')?.correlationId).toBe('outer');
  });

  it('removes the key when there was no outer id, even if the callback throws', async () => {
    await expect(
      withCorrelationId('lone', async () => {
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    logger.info('after');
    expect(logs.entries().find((e) => e.message === 'after')).not.toHaveProperty('correlationId');
  });
});
