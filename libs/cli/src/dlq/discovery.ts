/**
 * Which queues are DLQs, where their messages came from and who consumes them (pure), from facts
 * gathered the same way locally and on AWS: each queue's attributes (RedrivePolicy) and Lambda's
 * event source mappings. A queue is a DLQ when
 * - another queue's RedrivePolicy sends to it (`redrive`): its source queue is that queue, its
 *   consumer the function mapped to the source queue;
 * - a stream event source mapping sends its failed batches to it (`stream-failure`): it holds
 *   Lambda's failure records, its consumer is that function.
 * Nothing is listed by hand, so a new service's DLQs appear as soon as they are deployed.
 */

export interface QueueFacts {
  name: string;
  url: string;
  arn: string;
  redrivePolicy?: { deadLetterTargetArn: string; maxReceiveCount?: number };
  /** ApproximateNumberOfMessages: visible messages (what the alarm watches). */
  depth: number;
  /** ApproximateNumberOfMessagesNotVisible. */
  inFlight: number;
}

export interface MappingFacts {
  functionArn: string;
  eventSourceArn: string;
  onFailureDestination?: string;
  state?: string;
}

export type DlqKind = 'redrive' | 'stream-failure';

export interface DlqInfo {
  name: string;
  url: string;
  arn: string;
  kind: DlqKind;
  /** The queue whose messages land here (the first when several redrive to it); null for streams. */
  sourceQueue: string | null;
  sourceQueues: string[];
  sourceQueueUrl?: string;
  /** The function consuming the source (or the stream); null when no mapping was found. */
  consumer: string | null;
  consumers: string[];
  /** For stream failures: the stream whose batches failed (`table/<name>/stream/<label>`). */
  stream?: string;
  maxReceiveCount?: number;
  depth: number;
  inFlight: number;
}

export function functionNameOf(arnOrName: string): string {
  const parts = arnOrName.split(':');
  const index = parts.indexOf('function');
  return index >= 0 ? (parts[index + 1] ?? arnOrName) : arnOrName;
}

/** `arn:aws:dynamodb:r:a:table/T/stream/2025...` → `table/T/stream/2025...`. */
function resourceOf(arn: string): string {
  return arn.split(':').slice(5).join(':') || arn;
}

export function parseRedrivePolicy(text: string | undefined): QueueFacts['redrivePolicy'] {
  if (!text) return undefined;
  try {
    const policy = JSON.parse(text) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    if (typeof policy.deadLetterTargetArn !== 'string') return undefined;
    const max = Number(policy.maxReceiveCount);
    return {
      deadLetterTargetArn: policy.deadLetterTargetArn,
      ...(Number.isFinite(max) ? { maxReceiveCount: max } : {}),
    };
  } catch {
    return undefined;
  }
}

export function findDeadLetterQueues(queues: QueueFacts[], mappings: MappingFacts[]): DlqInfo[] {
  const byArn = new Map(queues.map((queue) => [queue.arn, queue]));
  const found = new Map<string, DlqInfo>();
  const consumersOf = (arn: string) => [
    ...new Set(mappings.filter((m) => m.eventSourceArn === arn).map((m) => functionNameOf(m.functionArn))),
  ];

  for (const source of queues) {
    const target = source.redrivePolicy ? byArn.get(source.redrivePolicy.deadLetterTargetArn) : undefined;
    if (!target) continue;
    const existing = found.get(target.arn);
    const consumers = consumersOf(source.arn);
    if (existing) {
      existing.sourceQueues.push(source.name);
      existing.consumers = [...new Set([...existing.consumers, ...consumers])];
      existing.consumer ??= existing.consumers[0] ?? null;
      continue;
    }
    found.set(target.arn, {
      name: target.name,
      url: target.url,
      arn: target.arn,
      kind: 'redrive',
      sourceQueue: source.name,
      sourceQueues: [source.name],
      sourceQueueUrl: source.url,
      consumer: consumers[0] ?? null,
      consumers,
      ...(source.redrivePolicy?.maxReceiveCount !== undefined
        ? { maxReceiveCount: source.redrivePolicy.maxReceiveCount }
        : {}),
      depth: target.depth,
      inFlight: target.inFlight,
    });
  }

  for (const mapping of mappings) {
    const target = mapping.onFailureDestination ? byArn.get(mapping.onFailureDestination) : undefined;
    if (!target || found.get(target.arn)?.kind === 'redrive') continue;
    const consumer = functionNameOf(mapping.functionArn);
    const existing = found.get(target.arn);
    if (existing) {
      existing.consumers = [...new Set([...existing.consumers, consumer])];
      continue;
    }
    found.set(target.arn, {
      name: target.name,
      url: target.url,
      arn: target.arn,
      kind: 'stream-failure',
      sourceQueue: null,
      sourceQueues: [],
      consumer,
      consumers: [consumer],
      stream: resourceOf(mapping.eventSourceArn),
      depth: target.depth,
      inFlight: target.inFlight,
    });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** A queue by name, URL or ARN. */
export function findQueue<T extends { name: string; url: string; arn: string }>(
  ref: string,
  queues: T[],
): T | undefined {
  return queues.find((queue) => queue.name === ref || queue.url === ref || queue.arn === ref);
}
