/**
 * Lambda's SQS event source mapping: long-polls each mapped queue, gathers batches (BatchSize within
 * MaximumBatchingWindowInSeconds), invokes the function with Lambda's SQS event and deletes what
 * succeeded. Failed messages are left alone: they reappear after the queue's VisibilityTimeout and
 * the queue's RedrivePolicy (applied by the SQS emulator) moves them to the DLQ after maxReceiveCount.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { Invoker, PackagedService, ResourceRegistry } from '../../types';
import { mappingsOfKind, queueNameFromArn, recordFilter, sleep } from './polling';

export interface SqsMapping {
  service: string;
  logicalId: string;
  functionName: string;
  queueArn: string;
  /** Known when the queue is in the same template; otherwise looked up by name. */
  queueUrl?: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /**
   * Batches in flight at once (one poll loop each): the mapping's ScalingConfig.MaximumConcurrency,
   * else 1. Lambda runs several pollers per queue; one loop locally keeps ordinary consumers simple,
   * while a consumer whose batches can be slow (webhook sends) asks for more, as it would on AWS.
   */
  concurrency?: number;
  reportBatchItemFailures: boolean;
  /**
   * The mapping's FilterCriteria patterns. As Lambda does, a message that matches none of them is
   * deleted without reaching the function.
   */
  filterPatterns?: string[];
  enabled: boolean;
}

export interface SqsPollerOptions {
  invoker: Invoker;
  mappings: SqsMapping[];
  /** SQS endpoint (fauxqs). */
  endpoint: string;
  region?: string;
  /** Long-poll wait; default 20 s (stop() aborts it). */
  waitTimeSeconds?: number;
  log?: (line: string) => void;
}

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<
    string,
    {
      stringValue?: string;
      binaryValue?: string;
      stringListValues: string[];
      binaryListValues: string[];
      dataType: string;
    }
  >;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** Poll loops per mapping at most, whatever MaximumConcurrency says (the host queues the rest). */
export const MAX_POLLERS_PER_QUEUE = 10;

/** The SQS mappings of the given services, resolved against what was provisioned. */
export function sqsMappingsFromServices(
  services: PackagedService[],
  registry: ResourceRegistry,
): SqsMapping[] {
  return mappingsOfKind(services, registry, 'sqs').map(({ service, mapping, functionName }) => {
    recordFilter(mapping);
    return {
      service,
      logicalId: mapping.logicalId,
      functionName,
      queueArn: String(registry.resolve(service, mapping.eventSourceArn)),
      queueUrl: mapping.sourceLogicalId ? registry.get(service, mapping.sourceLogicalId)?.ref : undefined,
      batchSize: mapping.batchSize ?? 10,
      maximumBatchingWindowInSeconds: mapping.maximumBatchingWindowInSeconds ?? 0,
      concurrency: Math.max(1, Math.min(MAX_POLLERS_PER_QUEUE, mapping.maximumConcurrency ?? 1)),
      reportBatchItemFailures: mapping.functionResponseTypes.includes('ReportBatchItemFailures'),
      filterPatterns: mapping.filterPatterns,
      enabled: mapping.enabled,
    };
  });
}

/** What a filter pattern sees of an SQS record: its body as JSON when it is JSON, as Lambda does. */
function filterView(record: SqsRecord): SqsRecord | (Omit<SqsRecord, 'body'> & { body: unknown }) {
  try {
    return { ...record, body: JSON.parse(record.body) as unknown };
  } catch {
    return record;
  }
}

function base64(value: Uint8Array | undefined): string | undefined {
  return value ? Buffer.from(value).toString('base64') : undefined;
}

/** One received message as a record of Lambda's SQS event. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SqsRecord {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.Attributes ?? {}))
    if (value !== undefined) attributes[key] = value;
  const messageAttributes: SqsRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {}) as [
    string,
    MessageAttributeValue,
  ][]) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: base64(value.BinaryValue) } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((v) => base64(v) ?? ''),
      dataType: value.DataType ?? 'String',
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which messages of a batch to delete given the invocation's outcome, the way Lambda decides:
 * all on success; with ReportBatchItemFailures all but the reported ones, and none when the
 * response names an unknown or empty identifier; none on an error.
 */
export function messagesToDelete(
  records: SqsRecord[],
  outcome: { ok: boolean; result?: unknown },
  reportBatchItemFailures: boolean,
): SqsRecord[] {
  if (!outcome.ok) return [];
  if (!reportBatchItemFailures) return records;
  const result = outcome.result as { batchItemFailures?: unknown } | null | undefined;
  const failures = result && typeof result === 'object' ? result.batchItemFailures : undefined;
  if (failures === undefined || failures === null) return records;
  if (!Array.isArray(failures)) return [];
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const failure of failures as { itemIdentifier?: unknown }[]) {
    const id = failure?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) return [];
    failed.add(id);
  }
  return records.filter((r) => !failed.has(r.messageId));
}

export class SqsPoller {
  private readonly client: SQSClient;
  private readonly region: string;
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly log: (line: string) => void;
  /** Each filtering mapping's compiled FilterCriteria. */
  private readonly filters = new Map<SqsMapping, (record: unknown) => boolean>();

  constructor(private readonly options: SqsPollerOptions) {
    this.region = options.region ?? 'us-east-1';
    this.log = options.log ?? (() => undefined);
    for (const mapping of options.mappings) {
      const passes = recordFilter(mapping);
      if (passes) this.filters.set(mapping, passes);
    }
    this.client = new SQSClient({
      endpoint: options.endpoint,
      region: this.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  start(): void {
    for (const mapping of this.options.mappings) {
      if (!mapping.enabled) continue;
      for (let i = 0; i < (mapping.concurrency ?? 1); i++) this.loops.push(this.poll(mapping));
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
    this.loops = [];
    this.client.destroy();
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async queueUrl(mapping: SqsMapping): Promise<string> {
    if (mapping.queueUrl) return mapping.queueUrl;
    const name = queueNameFromArn(mapping.queueArn);
    const out = await this.client.send(new GetQueueUrlCommand({ QueueName: name }), {
      abortSignal: this.abort.signal,
    });
    if (!out.QueueUrl) throw new Error(`no queue ${name}`);
    return out.QueueUrl;
  }

  private async poll(mapping: SqsMapping): Promise<void> {
    let queueUrl: string | undefined;
    let backoff = 100;
    while (!this.stopped) {
      try {
        queueUrl ??= await this.queueUrl(mapping);
        const messages = await this.gather(mapping, queueUrl);
        if (messages.length === 0) continue;
        await this.deliver(mapping, queueUrl, messages);
        backoff = 100;
      } catch (err) {
        if (this.stopped) return;
        this.log(`sqs ${mapping.functionName} ← ${mapping.queueArn}: ${(err as Error).message}`);
        await sleep(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /** Waits for a first message, then gathers up to BatchSize until the batching window closes. */
  private async gather(mapping: SqsMapping, queueUrl: string): Promise<Message[]> {
    const messages = await this.receive(queueUrl, mapping.batchSize, this.options.waitTimeSeconds ?? 20);
    if (messages.length === 0) return messages;
    const windowEnds = Date.now() + mapping.maximumBatchingWindowInSeconds * 1000;
    while (!this.stopped && messages.length < mapping.batchSize && Date.now() < windowEnds) {
      const wait = Math.min(20, Math.floor((windowEnds - Date.now()) / 1000));
      const received = await this.receive(queueUrl, mapping.batchSize - messages.length, wait);
      for (const message of received) {
        // A message that became visible again within the window: only its newest receipt is valid.
        const index = messages.findIndex((m) => m.MessageId === message.MessageId);
        if (index >= 0) messages[index] = message;
        else messages.push(message);
      }
      // Short polls near the window's end: pace them instead of spinning.
      if (received.length === 0 && wait === 0)
        await sleep(Math.min(100, windowEnds - Date.now()), this.abort.signal);
    }
    return messages;
  }

  private async receive(queueUrl: string, max: number, waitTimeSeconds: number): Promise<Message[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitTimeSeconds,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    return out.Messages ?? [];
  }

  private async deliver(mapping: SqsMapping, queueUrl: string, messages: Message[]): Promise<void> {
    const received = messages.map((m) => toSqsRecord(m, mapping.queueArn, this.region));
    const passes = this.filters.get(mapping);
    // Messages no filter pattern matches are deleted unseen, as Lambda does.
    const records: SqsRecord[] = [];
    const toDelete: SqsRecord[] = [];
    for (const record of received) (!passes || passes(filterView(record)) ? records : toDelete).push(record);
    if (records.length > 0) {
      const outcome = await this.options.invoker.invoke(mapping.functionName, { Records: records });
      if (!outcome.ok) {
        this.log(
          `sqs ${mapping.functionName}: ${outcome.error.errorType}: ${outcome.error.errorMessage} (${records.length} messages return after the visibility timeout)`,
        );
      }
      toDelete.push(...messagesToDelete(records, outcome, mapping.reportBatchItemFailures));
    }
    for (let i = 0; i < toDelete.length; i += 10) {
      const chunk = toDelete.slice(i, i + 10);
      // Deleting must not be aborted by stop(): an invocation that succeeded should not be redelivered.
      const out = await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((r, index) => ({ Id: String(index), ReceiptHandle: r.receiptHandle })),
        }),
      );
      for (const failed of out.Failed ?? [])
        this.log(`sqs delete failed for ${mapping.queueArn}: ${failed.Message ?? failed.Code}`);
    }
  }
}
