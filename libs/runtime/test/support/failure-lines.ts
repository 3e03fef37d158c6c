import { logger } from '../../src/logger';

/**
 * Silences the logger's error lines for each test and returns what the consumers logged as
 * `consumer_failure` so far; `errorLog()` is the spy itself.
 */
export function captureFailureLines() {
  let spy: jest.SpyInstance;
  beforeEach(() => {
    spy = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  return {
    errorLog: () => spy,
    failureLines: () =>
      spy.mock.calls.map((c) => c[0]).filter((line) => line?.message === 'consumer_failure'),
  };
}
