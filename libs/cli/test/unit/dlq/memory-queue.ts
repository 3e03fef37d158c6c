// An in-memory SQS for the engine's unit tests: visibility timeouts, receipt handles and receive
// counts behave as SQS's do (the integration tests run the same engine against the real emulator).
import type { SqsMessageLike } from '../../../src/dlq/decode';
import type { QueuePort } from '../../../src/dlq/engine';

interface Stored {
  id: string;
  body: string;
  attributes: Record<string, { StringValue?: string; DataType?: string }>;
  sentAt: number;
  receives: number;
  invisibleUntil: number;
  handle?: string;
}

export class MemoryQueues implements QueuePort {
  readonly queues = new Map<string, Stored[]>();
  now = 0;
  private counter = 0;
  /** Make the next sends to these URLs fail. */
  failSendsTo = new Set<string>();
  failDeletes = false;
  calls: string[] = [];

  add(
    url: string,
    body: unknown,
    options: { sentAt?: number; attributes?: Stored['attributes'] } = {},
  ): string {
    const id = `msg-${++this.counter}`;
    this.queue(url).push({
      id,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: options.attributes ?? {},
      sentAt: options.sentAt ?? 1_700_000_000_000,
      receives: 0,
      invisibleUntil: 0,
    });
    return id;
  }

  queue(url: string): Stored[] {
    let queue = this.queues.get(url);
    if (!queue) this.queues.set(url, (queue = []));
    return queue;
  }

  ids(url: string): string[] {
    return this.queue(url).map((m) => m.id);
  }

  visible(url: string): number {
    return this.queue(url).filter((m) => m.invisibleUntil <= this.now).length;
  }

  bodies(url: string): string[] {
    return this.queue(url).map((m) => m.body);
  }

  async receive(url: string, options: { max: number; visibilityTimeout: number }): Promise<SqsMessageLike[]> {
    this.calls.push(`receive ${url}`);
    const out: SqsMessageLike[] = [];
    for (const m of this.queue(url)) {
      if (out.length >= options.max) break;
      if (m.invisibleUntil > this.now) continue;
      m.receives += 1;
      m.invisibleUntil = this.now + options.visibilityTimeout * 1000;
      m.handle = `${m.id}#${m.receives}`;
      out.push({
        MessageId: m.id,
        ReceiptHandle: m.handle,
        Body: m.body,
        Attributes: { SentTimestamp: String(m.sentAt), ApproximateReceiveCount: String(m.receives) },
        MessageAttributes: m.attributes,
      });
    }
    return out;
  }

  async send(url: string, message: SqsMessageLike): Promise<string> {
    this.calls.push(`send ${url} ${message.MessageId}`);
    if (this.failSendsTo.has(url)) throw new Error('AccessDenied');
    return this.add(url, message.Body ?? '', {
      attributes: (message.MessageAttributes ?? {}) as Stored['attributes'],
    });
  }

  /** What SQS's redrive does: the message moves to another queue keeping its id. */
  redrive(from: string, to: string, id: string): void {
    const queue = this.queue(from);
    const index = queue.findIndex((m) => m.id === id);
    const [message] = queue.splice(index, 1);
    this.queue(to).push({ ...message!, invisibleUntil: 0 });
  }

  async delete(url: string, handle: string): Promise<void> {
    this.calls.push(`delete ${url} ${handle}`);
    if (this.failDeletes) throw new Error('ReceiptHandleIsInvalid');
    const queue = this.queue(url);
    const index = queue.findIndex((m) => m.handle === handle);
    if (index < 0) throw new Error('ReceiptHandleIsInvalid');
    queue.splice(index, 1);
  }

  async deleteBatch(url: string, handles: string[]): Promise<{ failed: string[] }> {
    const failed: string[] = [];
    for (const handle of handles) await this.delete(url, handle).catch(() => failed.push(handle));
    return { failed };
  }

  async release(url: string, handles: string[]): Promise<void> {
    this.calls.push(`release ${url} ${handles.length}`);
    for (const m of this.queue(url)) if (m.handle && handles.includes(m.handle)) m.invisibleUntil = 0;
  }

  /** This queue as a port with some of its operations replaced (to watch or break them). */
  portWith(overrides: Partial<QueuePort>): QueuePort {
    return {
      receive: this.receive.bind(this),
      send: this.send.bind(this),
      delete: this.delete.bind(this),
      deleteBatch: this.deleteBatch.bind(this),
      release: this.release.bind(this),
      ...overrides,
    };
  }
}
