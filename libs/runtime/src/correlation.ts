import { AsyncLocalStorage } from 'node:async_hooks';

// Powertools does not expose the logger's temporary keys, so the id in scope is tracked here.
const correlationScope = new AsyncLocalStorage<string>();

/**
 * Runs `fn` with `correlationId` as the default for every publish/sendToQueue inside it, across awaits.
 * The consumers wrap each record in it; handler factories wrap the user's handler in it.
 */
export function runWithCorrelationId<T>(correlationId: string, fn: () => Promise<T>): Promise<T> {
  return correlationScope.run(correlationId, fn);
}

/** The correlation id of the invocation or record in progress, if any. */
export function currentCorrelationId(): string | undefined {
  return correlationScope.getStore();
}
