/**
 * Lambda's DynamoDB Streams event source mapping: follows every shard of each mapped stream (new
 * shards included, parents before children), invokes the function with batches in Lambda's stream
 * event shape, retries failures (resuming from the first failed record of a partial batch response,
 * bisecting on errors when configured) and, once MaximumRetryAttempts is spent, sends Lambda's
 * failure record to the OnFailure destination and moves on.
 *
 * MaximumBatchingWindowInSeconds is honoured as Lambda does: records are gathered until the batch
 * is full or the window (counted from the first record gathered) closes, polling the shard every
 * `pollIntervalMs` meanwhile (`busyPollIntervalMs` while records flow). Under load this means one invocation and a few GetRecords calls per
 * window instead of one of each per handful of records; each GetRecords costs DynamoDB Local
 * milliseconds of CPU whether it returns 1 record or 100 (decision 26).
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { _Record as StreamRecord, AttributeValue, Shard } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { Invoker, PackagedService, ResourceRegistry } from '../../types';
import { LOCAL_ACCOUNT_ID } from '../../types';
import { referencedLogicalId } from '../template';
import { mappingsOfKind, queueNameFromArn, recordFilter, sleep } from './polling';

export interface StreamMapping {
  service: string;
  logicalId: string;
  functionName: string;
  streamArn: string;
  batchSize: number;
  /** Gather records for at most this long before invoking (0: invoke with whatever one read returns). */
  maximumBatchingWindowInSeconds: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** -1: retry until the record expires (locally: forever, with backoff). */
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  /** SQS queue ARN (or URL when known) for failed batches. */
  onFailure?: { arn: string; queueUrl?: string };
  /**
   * The mapping's FilterCriteria patterns. As Lambda does, a record that matches none of them is
   * dropped before batching (it never reaches the function, and the shard moves past it).
   */
  filterPatterns?: string[];
  enabled: boolean;
}

/**
 * How long to pause before the next GetRecords of a shard whose last read left the batch unfilled:
 * the busy interval within `busyForMs` of the last read that returned records, the idle one
 * otherwise, and never past the end of an open batching window.
 */
export function nextPollPause(input: {
  now: number;
  lastRecordsAt: number;
  /** When the batching window of records already gathered closes; undefined when none are. */
  windowEnds: number | undefined;
  idlePollIntervalMs: number;
  busyPollIntervalMs: number;
  busyForMs: number;
}): number {
  const busy = input.now - input.lastRecordsAt < input.busyForMs;
  const interval = busy ? input.busyPollIntervalMs : input.idlePollIntervalMs;
  return input.windowEnds === undefined ? interval : Math.min(interval, input.windowEnds - input.now);
}

const DEFAULT_SHARD_REFRESH_MS = 1_000;
/** Looks for new shards at the default pace after a shard closed (its children may come a moment later). */
const LOOKS_AFTER_A_CLOSED_SHARD = 5;

/** TrimmedDataAccessExceptions in a row retried at the busy pace before each is logged and paced 1 s. */
const TRIMMED_RETRIES_UNREPORTED = 10;

export interface StreamPollerOptions {
  invoker: Invoker;
  mappings: StreamMapping[];
  /** DynamoDB endpoint (DynamoDB Local serves the Streams API on it). */
  dynamodbEndpoint: string;
  /** SQS endpoint, for OnFailure destinations. */
  sqsEndpoint?: string;
  region?: string;
  /** Pause between GetRecords calls that leave the batch unfilled (empty, or within a batching window); default 250 ms. */
  pollIntervalMs?: number;
  /**
   * The pause instead while the shard is busy, i.e. for `busyForMs` (default 1 s) after a read that
   * returned records; default 20 ms. Lambda reads every shard four times a second; reading a busy
   * shard faster locally keeps a stream hop from adding up to 250 ms to each request that crosses
   * it, at the cost of a few more reads while records flow (an idle shard is still read 4 times a
   * second).
   */
  busyPollIntervalMs?: number;
  busyForMs?: number;
  /**
   * How often to look for new shards; default 1 s. A shard that closes (it has been read to its end)
   * brings the next look forward, and the few after it come at that pace too, so its children are
   * read at once whatever this is.
   */
  shardRefreshMs?: number;
  log?: (line: string) => void;
}

/** Where a record sits in its shard: the position a reader resumes after. */
const sequenceOf = (record: DynamoDbStreamRecord | undefined): string | undefined =>
  record?.dynamodb.SequenceNumber as string | undefined;

export interface DynamoDbStreamRecord {
  eventID: string;
  eventName: string;
  eventVersion: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: Record<string, unknown>;
  eventSourceARN: string;
  userIdentity?: unknown;
}

/** The DynamoDB stream mappings of the given services, resolved against what was provisioned. */
export function streamMappingsFromServices(
  services: PackagedService[],
  registry: ResourceRegistry,
): StreamMapping[] {
  return mappingsOfKind(services, registry, 'dynamodb').map(({ service, mapping, functionName }) => {
    recordFilter(mapping);
    let onFailure: StreamMapping['onFailure'];
    if (mapping.onFailureDestination !== undefined) {
      const arn = String(registry.resolve(service, mapping.onFailureDestination));
      const id = referencedLogicalId(mapping.onFailureDestination);
      const resource = id ? registry.get(service, id) : undefined;
      onFailure = { arn, queueUrl: resource?.type === 'AWS::SQS::Queue' ? resource.ref : undefined };
    }
    return {
      service,
      logicalId: mapping.logicalId,
      functionName,
      streamArn: String(registry.resolve(service, mapping.eventSourceArn)),
      batchSize: mapping.batchSize ?? 100,
      maximumBatchingWindowInSeconds: mapping.maximumBatchingWindowInSeconds ?? 0,
      startingPosition: mapping.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
      maximumRetryAttempts: mapping.maximumRetryAttempts ?? -1,
      bisectBatchOnFunctionError: mapping.bisectBatchOnFunctionError,
      reportBatchItemFailures: mapping.functionResponseTypes.includes('ReportBatchItemFailures'),
      onFailure,
      filterPatterns: mapping.filterPatterns,
      enabled: mapping.enabled,
    };
  });
}

/** Binary attribute values travel as base64 in Lambda's JSON events. */
function jsonAttributes(
  item: Record<string, AttributeValue> | undefined,
): Record<string, unknown> | undefined {
  if (!item) return undefined;
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, jsonAttribute(v)]));
}

function jsonAttribute(value: AttributeValue): unknown {
  const v = value as unknown as Record<string, unknown>;
  if (v.B instanceof Uint8Array) return { B: Buffer.from(v.B).toString('base64') };
  if (Array.isArray(v.BS))
    return { BS: (v.BS as Uint8Array[]).map((b) => Buffer.from(b).toString('base64')) };
  if (Array.isArray(v.L)) return { L: (v.L as AttributeValue[]).map(jsonAttribute) };
  if (v.M && typeof v.M === 'object') return { M: jsonAttributes(v.M as Record<string, AttributeValue>) };
  const { $unknown: _unknown, ...rest } = v;
  return rest;
}

export function toStreamRecord(
  record: StreamRecord,
  streamArn: string,
  region: string,
): DynamoDbStreamRecord {
  const d = record.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime as Date | number | undefined;
  const dynamodb: Record<string, unknown> = {
    ApproximateCreationDateTime: created instanceof Date ? Math.floor(created.getTime() / 1000) : created,
    Keys: jsonAttributes(d.Keys),
    ...(d.NewImage ? { NewImage: jsonAttributes(d.NewImage) } : {}),
    ...(d.OldImage ? { OldImage: jsonAttributes(d.OldImage) } : {}),
    SequenceNumber: d.SequenceNumber,
    SizeBytes: d.SizeBytes,
    StreamViewType: d.StreamViewType,
  };
  return {
    eventID: record.eventID ?? randomUUID(),
    eventName: record.eventName ?? 'MODIFY',
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    // The mapping's region, not the record's: DynamoDB Local reports 'ddblocal'.
    awsRegion: region,
    dynamodb,
    eventSourceARN: streamArn,
    ...(record.userIdentity ? { userIdentity: record.userIdentity } : {}),
  };
}

/**
 * Index of the first record to retry from a partial batch response, -1 when all succeeded, or
 * 0 (the whole batch) when the response is malformed, as Lambda treats it.
 */
export function firstFailedIndex(records: DynamoDbStreamRecord[], result: unknown): number {
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return -1;
  if (!Array.isArray(failures)) return 0;
  if (failures.length === 0) return -1;
  let first = Infinity;
  for (const failure of failures as { itemIdentifier?: unknown }[]) {
    const index = records.findIndex((r) => r.dynamodb.SequenceNumber === failure?.itemIdentifier);
    if (index < 0) return 0;
    first = Math.min(first, index);
  }
  return first;
}

interface PausedReader {
  since: number;
  minGapMs: number;
  wakeAt(at: number): void;
}

interface ShardState {
  shardId: string;
  parentShardId?: string;
  done: boolean;
  started: boolean;
}

export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly sqs?: SQSClient;
  private readonly region: string;
  private readonly abort = new AbortController();
  private readonly tasks = new Set<Promise<void>>();
  /** Shard readers pausing with nothing gathered, by the service whose tables they read. */
  private readonly paused = new Map<string, Set<PausedReader>>();
  private readonly log: (line: string) => void;

  constructor(private readonly options: StreamPollerOptions) {
    this.region = options.region ?? 'us-east-1';
    this.log = options.log ?? (() => undefined);
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    this.streams = new DynamoDBStreamsClient({
      endpoint: options.dynamodbEndpoint,
      region: this.region,
      credentials,
    });
    // The SDK's logger middleware copies every GetRecords page (all images, redacted) for a logger
    // that is not there: a few percent of the main thread under load. Nothing is logged without it.
    this.streams.middlewareStack.remove('loggerMiddleware');
    if (options.sqsEndpoint)
      this.sqs = new SQSClient({ endpoint: options.sqsEndpoint, region: this.region, credentials });
  }

  /**
   * A function of `service` has just finished: whatever it wrote is in its tables' streams. Readers
   * of those streams pausing with nothing gathered read now instead of at their next poll, though
   * never sooner than `minGapMs` after their last read, so a stream hop does not wait out a
   * poll interval. Readers inside a batching window keep their pace.
   */
  nudge(service: string): void {
    const now = Date.now();
    for (const reader of this.paused.get(service) ?? [])
      reader.wakeAt(Math.max(now, reader.since + reader.minGapMs));
  }

  private pause(service: string, ms: number, minGapMs: number): Promise<void> {
    return new Promise((resume) => {
      let readers = this.paused.get(service);
      if (!readers) this.paused.set(service, (readers = new Set()));
      const set = readers;
      const since = Date.now();
      let timer: NodeJS.Timeout;
      let due = since + ms;
      const done = () => {
        clearTimeout(timer);
        set.delete(reader);
        this.abort.signal.removeEventListener('abort', done);
        resume();
      };
      const reader: PausedReader = {
        since,
        minGapMs,
        wakeAt: (at) => {
          if (at >= due) return;
          due = at;
          clearTimeout(timer);
          timer = setTimeout(done, Math.max(0, at - Date.now()));
        },
      };
      timer = setTimeout(done, ms);
      set.add(reader);
      this.abort.signal.addEventListener('abort', done, { once: true });
    });
  }

  start(): void {
    for (const mapping of this.options.mappings) if (mapping.enabled) this.track(this.follow(mapping));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
    this.streams.destroy();
    this.sqs?.destroy();
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Discovers shards periodically and starts a reader for each one whose parent is finished. */
  private async follow(mapping: StreamMapping): Promise<void> {
    const shards = new Map<string, ShardState>();
    let firstListing = true;
    // After a shard closed: looks left at the default pace, and how to cut the current wait short.
    let looksSoon = 0;
    let lookNow = () => {};
    const closed = () => {
      if (this.stopped) return;
      looksSoon = LOOKS_AFTER_A_CLOSED_SHARD;
      lookNow();
    };
    while (!this.stopped) {
      try {
        for (const shard of await this.listShards(mapping.streamArn)) {
          if (!shard.ShardId || shards.has(shard.ShardId)) continue;
          shards.set(shard.ShardId, {
            shardId: shard.ShardId,
            parentShardId: shard.ParentShardId,
            done: false,
            started: false,
          });
        }
        for (const state of shards.values()) {
          if (state.started) continue;
          const parent = state.parentShardId ? shards.get(state.parentShardId) : undefined;
          if (parent && !parent.done) continue;
          state.started = true;
          // LATEST applies to the shards open at start; later shards are read whole, or records would be lost.
          const position = firstListing && mapping.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON';
          this.track(this.readShard(mapping, state, position).then(closed));
        }
        firstListing = false;
      } catch (err) {
        if (this.stopped) return;
        this.log(`stream ${mapping.streamArn}: ${(err as Error).message}`);
      }
      const pace = this.options.shardRefreshMs ?? DEFAULT_SHARD_REFRESH_MS;
      const soon = looksSoon > 0;
      if (soon) looksSoon--;
      const early = new AbortController();
      lookNow = () => early.abort();
      await sleep(
        soon ? Math.min(pace, DEFAULT_SHARD_REFRESH_MS) : pace,
        AbortSignal.any([this.abort.signal, early.signal]),
      );
      lookNow = () => {};
    }
  }

  private async listShards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const out = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
        {
          abortSignal: this.abort.signal,
        },
      );
      shards.push(...(out.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = out.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  private async iterator(
    mapping: StreamMapping,
    shardId: string,
    position: string,
    after?: string,
  ): Promise<string | undefined> {
    const out = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: mapping.streamArn,
        ShardId: shardId,
        ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : (position as 'LATEST' | 'TRIM_HORIZON'),
        SequenceNumber: after,
      }),
      { abortSignal: this.abort.signal },
    );
    return out.ShardIterator;
  }

  private async readShard(mapping: StreamMapping, state: ShardState, position: string): Promise<void> {
    const idlePollIntervalMs = this.options.pollIntervalMs ?? 250;
    const busyPollIntervalMs = Math.min(idlePollIntervalMs, this.options.busyPollIntervalMs ?? 20);
    const busyForMs = this.options.busyForMs ?? 1_000;
    let lastRecordsAt = 0;
    let trimmedInARow = 0;
    const windowMs = Math.max(0, mapping.maximumBatchingWindowInSeconds) * 1000;
    let checkpoint: string | undefined;
    let iterator: string | undefined;
    // Records read but not yet handed to the function, and when their batching window closes.
    let gathered: DynamoDbStreamRecord[] = [];
    let windowEnds = 0;
    const passes = recordFilter(mapping);
    while (!this.stopped) {
      try {
        iterator ??= await this.iterator(mapping, state.shardId, position, checkpoint);
        if (!iterator) break;
        const out = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: mapping.batchSize - gathered.length }),
          {
            abortSignal: this.abort.signal,
          },
        );
        // In the shape the function receives, made once: the filter patterns match that shape.
        const read = (out.Records ?? []).map((r) => toStreamRecord(r, mapping.streamArn, this.region));
        const records = passes ? read.filter(passes) : read;
        trimmedInARow = 0;
        if (records.length > 0) {
          lastRecordsAt = Date.now();
          if (gathered.length === 0) windowEnds = Date.now() + windowMs;
          gathered.push(...records);
        } else if (read.length > 0 && gathered.length === 0) {
          // Everything read was filtered out: the shard moves past it.
          checkpoint = sequenceOf(read[read.length - 1]) ?? checkpoint;
        }
        iterator = out.NextShardIterator;
        const full = gathered.length >= mapping.batchSize;
        if (gathered.length > 0 && (full || !iterator || Date.now() >= windowEnds)) {
          const batch = gathered;
          gathered = [];
          await this.process(mapping, state.shardId, batch);
          checkpoint = sequenceOf(batch[batch.length - 1]) ?? checkpoint;
          // A full batch means a backlog: read on at once.
          if (full && iterator) continue;
        }
        if (!iterator) break; // the shard is closed and fully read
        const wait = nextPollPause({
          now: Date.now(),
          lastRecordsAt,
          windowEnds: gathered.length > 0 ? windowEnds : undefined,
          idlePollIntervalMs,
          busyPollIntervalMs,
          busyForMs,
        });
        if (wait > 0) {
          if (gathered.length === 0) await this.pause(mapping.service, wait, busyPollIntervalMs);
          else await sleep(wait, this.abort.signal);
        }
      } catch (err) {
        if (this.stopped) return;
        // Expired or trimmed iterators: start again after the last processed record. Records
        // gathered since are read again from there. DynamoDB Local answers a shard's first reads
        // right after its table was created with TrimmedDataAccessException; a fresh iterator a
        // moment later reads it fine, so that one is retried at once and reported only if it lasts.
        const trimmed = (err as Error).name === 'TrimmedDataAccessException';
        trimmedInARow = trimmed ? trimmedInARow + 1 : 0;
        if (!trimmed || trimmedInARow > TRIMMED_RETRIES_UNREPORTED)
          this.log(`stream ${mapping.streamArn} ${state.shardId}: ${(err as Error).message}`);
        iterator = undefined;
        gathered = [];
        await sleep(
          trimmed && trimmedInARow <= TRIMMED_RETRIES_UNREPORTED ? busyPollIntervalMs : 1_000,
          this.abort.signal,
        );
      }
    }
    if (!this.stopped) state.done = true;
  }

  /** Runs one batch to completion: success, or retries spent and the failure sent on. */
  private async process(
    mapping: StreamMapping,
    shardId: string,
    batch: DynamoDbStreamRecord[],
  ): Promise<void> {
    // Pending work, each with its own attempt count; bisecting splits a batch without counting.
    const queue: { records: DynamoDbStreamRecord[]; attempts: number }[] = [{ records: batch, attempts: 0 }];
    while (queue.length > 0 && !this.stopped) {
      const work = queue.shift()!;
      const outcome = await this.options.invoker.invoke(mapping.functionName, { Records: work.records });
      let retryFrom = -1;
      if (!outcome.ok) {
        this.log(`stream ${mapping.functionName}: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
        if (mapping.bisectBatchOnFunctionError && work.records.length > 1) {
          const half = Math.ceil(work.records.length / 2);
          queue.unshift(
            { records: work.records.slice(0, half), attempts: work.attempts },
            { records: work.records.slice(half), attempts: work.attempts },
          );
          continue;
        }
        retryFrom = 0;
      } else if (mapping.reportBatchItemFailures) {
        retryFrom = firstFailedIndex(work.records, outcome.result);
      }
      if (retryFrom < 0) continue;
      const remaining = work.records.slice(retryFrom);
      const attempts = work.attempts + 1;
      if (mapping.maximumRetryAttempts >= 0 && attempts > mapping.maximumRetryAttempts) {
        await this.sendFailure(mapping, shardId, remaining, attempts, outcome.ok ? undefined : 'Unhandled');
        continue;
      }
      await sleep(Math.min(100 * 2 ** Math.min(attempts, 6), 5_000), this.abort.signal);
      queue.unshift({ records: remaining, attempts });
    }
  }

  private async sendFailure(
    mapping: StreamMapping,
    shardId: string,
    records: DynamoDbStreamRecord[],
    invokeCount: number,
    functionError: string | undefined,
  ): Promise<void> {
    const first = records[0];
    const last = records[records.length - 1];
    const seconds = (r: DynamoDbStreamRecord | undefined) =>
      new Date(Number(r?.dynamodb.ApproximateCreationDateTime ?? 0) * 1000).toISOString();
    const message = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: `arn:aws:lambda:${this.region}:${LOCAL_ACCOUNT_ID}:function:${mapping.functionName}`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: invokeCount,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(functionError ? { functionError } : {}),
      },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first?.dynamodb.SequenceNumber,
        endSequenceNumber: last?.dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: seconds(first),
        approximateArrivalOfLastRecord: seconds(last),
        batchSize: records.length,
        streamArn: mapping.streamArn,
      },
    };
    if (!mapping.onFailure) {
      this.log(
        `stream ${mapping.functionName}: dropping ${records.length} records after ${invokeCount} attempts (no OnFailure destination)`,
      );
      return;
    }
    if (!this.sqs || !mapping.onFailure.arn.includes(':sqs:')) {
      this.log(
        `stream ${mapping.functionName}: OnFailure destination ${mapping.onFailure.arn} is not supported locally; dropping ${records.length} records`,
      );
      return;
    }
    try {
      let queueUrl = mapping.onFailure.queueUrl;
      if (!queueUrl) {
        const name = queueNameFromArn(mapping.onFailure.arn);
        queueUrl = (await this.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
      }
      await this.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }),
      );
    } catch (err) {
      this.log(
        `stream ${mapping.functionName}: sending to OnFailure ${mapping.onFailure.arn} failed: ${(err as Error).message}`,
      );
    }
  }
}
