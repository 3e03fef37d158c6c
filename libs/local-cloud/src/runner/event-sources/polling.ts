/** What the SQS and DynamoDB stream pollers share: finding their mappings, and pausing between polls. */
import { compilePattern } from '../../event-pattern';
import type { PackagedService, ResourceRegistry } from '../../types';
import { mappingFunction, readServiceModel } from '../template';
import type { EventSourceKind, EventSourceMappingModel } from '../template';

/** An event source mapping of a service's template, with the physical name of the function it invokes. */
export interface ResolvedMapping {
  service: string;
  mapping: EventSourceMappingModel;
  functionName: string;
}

/** The event source mappings of one kind in the given services, resolved against what was provisioned. */
export function mappingsOfKind(
  services: PackagedService[],
  registry: ResourceRegistry,
  kind: EventSourceKind,
): ResolvedMapping[] {
  const found: ResolvedMapping[] = [];
  for (const service of services) {
    const model = readServiceModel(service);
    for (const mapping of model.eventSourceMappings) {
      if (mapping.kind !== kind) continue;
      const fn = mappingFunction(model, mapping);
      const name = fn
        ? registry.resolve(service.name, fn.functionName)
        : registry.resolve(service.name, mapping.functionName);
      found.push({ service: service.name, mapping, functionName: String(name) });
    }
  }
  return found;
}

/** The name an SQS queue's ARN ends with. */
export function queueNameFromArn(arn: string): string {
  return arn.split(':').pop() ?? arn;
}

/** Waits `ms`, or less when `signal` aborts: stopping a poller never waits out a pause. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveSleep) => {
    if (signal.aborted) return resolveSleep();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolveSleep();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Whether a record (in the shape the function receives; an SQS body that is JSON as its value) passes
 * a mapping's FilterCriteria patterns (any of them), as Lambda filters events before batching;
 * undefined when it has none. A pattern the local matcher cannot read stops the start.
 */
export function recordFilter(mapping: {
  logicalId: string;
  filterPatterns?: string[];
}): ((record: unknown) => boolean) | undefined {
  const patterns = mapping.filterPatterns ?? [];
  if (patterns.length === 0) return undefined;
  const matchers = patterns.map((pattern) => {
    try {
      return compilePattern(pattern);
    } catch (error) {
      throw new Error(
        `event source mapping ${mapping.logicalId}: filter pattern not usable locally: ${(error as Error).message}`,
      );
    }
  });
  return (record) => matchers.some((matches) => matches(record));
}
