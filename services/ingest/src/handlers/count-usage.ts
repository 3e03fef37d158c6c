/** The events table's stream → the monthly usage counters (see src/app/usage.ts). */
import { createStreamConsumer } from '@switchyard/runtime';
import { countUsage } from '../app/usage';
import type { Limits } from '../adapters/limits';
import { requestLimits } from '../adapters/limits';

export function createCountUsageHandler(limits: () => Limits) {
  return createStreamConsumer({ handleBatch: (changes) => countUsage(changes, limits()) });
}

export const handler = createCountUsageHandler(requestLimits);
