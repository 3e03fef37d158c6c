// In-process EventBridge: buses, rules, targets, PutEvents validation, delivery with retries and DLQs,
// and the scheduler. The HTTP server (server.ts) is a thin protocol layer over this class.
import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { eventBridgeEntrySize as entrySize } from '@switchyard/contracts/src/eventbridge-entry';
import { compilePattern, UnsupportedPatternError } from '../event-pattern';
import type { EventMatcher } from '../event-pattern';
import { LOCAL_ACCOUNT_ID } from '../types';
import type { Invoker } from '../types';
import { nextFireTime, parseSchedule, ScheduleExpressionError, systemClock } from './schedule';
import type { Clock, Schedule } from './schedule';
import { renderTargetInput, validateTargetInput } from './transform';
import { LocalArchives } from './archive';
import type { ArchivedEvent } from './archive';
import type { InputTransformer } from './transform';

export const DEFAULT_BUS = 'default';
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const MAX_TARGETS_PER_RULE = 5;
const DEFAULT_RETRIES = 2;
/** SQS refusals that would repeat on every try. */
const NOT_RETRIED = new Set([
  'InvalidMessageContents',
  'QueueDoesNotExist',
  'NonExistentQueue',
  'InvalidParameterValue',
  'InvalidAttributeValue',
]);

/** An AWS-style error; `code` becomes the JSON `__type`. */
export class EventBridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export interface PutEventsEntry {
  /** A Date, an ISO string, or epoch seconds (what the SDK sends). */
  Time?: Date | string | number;
  Source?: string;
  Resources?: string[];
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

/** The envelope every target receives (before Input/InputPath/InputTransformer). */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  /** Set on an event a replay sends again from an archive. */
  'replay-name'?: string;
}

export interface Target {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
  SqsParameters?: { MessageGroupId?: string };
  [other: string]: unknown;
}

export interface PutRuleInput {
  Name: string;
  EventBusName?: string;
  EventPattern?: string | object;
  ScheduleExpression?: string;
  State?: 'ENABLED' | 'DISABLED' | string;
  Description?: string;
}

export interface RuleDescription {
  Name: string;
  Arn: string;
  EventBusName: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: string;
  Description?: string;
  CreatedBy: string;
}

export interface DeliveryRecord {
  busName: string;
  ruleName: string;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  event: EventEnvelope;
  /** What the target received (the text body; Lambda got it JSON-parsed). */
  input: string;
  ok: boolean;
  attempts: number;
  error?: string;
  /** Set when the event went to the target's dead-letter queue. */
  deadLetterArn?: string;
}

export type DeliveryListener = (record: DeliveryRecord) => void;

export interface LocalEventBridgeOptions {
  region?: string;
  accountId?: string;
  /** Where SQS and SNS targets live (fauxqs serves both on one endpoint). */
  endpoints?: { sqs?: string; sns?: string };
  /** Runs Lambda targets. Without one, Lambda targets fail (and go to their DLQ). */
  invoker?: Invoker;
  clock?: Clock;
  /** Pause before retry n is n × this (Lambda async retries wait about a minute; locally we do not). */
  retryDelayMs?: number;
  /**
   * How long a target's retries may last locally, whatever its RetryPolicy says (EventBridge's own
   * default is 24 hours): long enough for a restarting consumer, short enough that an event a target
   * keeps refusing reaches its DLQ while someone watches. Default 60 s.
   */
  maxRetryWindowMs?: number;
  log?: (message: string) => void;
}

interface Rule {
  name: string;
  arn: string;
  busName: string;
  eventPattern?: string;
  matcher?: EventMatcher;
  scheduleExpression?: string;
  schedule?: Schedule;
  state: string;
  description?: string;
  targets: Map<string, Target>;
  createdAt: number;
  nextFireAt?: number;
}

interface Bus {
  name: string;
  arn: string;
  rules: Map<string, Rule>;
}

export class LocalEventBridge {
  readonly region: string;
  readonly accountId: string;
  private readonly buses = new Map<string, Bus>();
  private readonly listeners = new Set<DeliveryListener>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly clock: Clock;
  private readonly retryDelayMs: number;
  private readonly maxRetryWindowMs: number;
  private readonly log: (message: string) => void;
  private invoker: Invoker | undefined;
  private sqs: SQSClient | undefined;
  private sns: SNSClient | undefined;
  private readonly queueUrls = new Map<string, string>();
  private timer: unknown;
  private running = false;
  /** The buses' archives and their replays (CreateArchive, StartReplay, ...). */
  readonly archives: LocalArchives;

  constructor(private readonly options: LocalEventBridgeOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.clock = options.clock ?? systemClock;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxRetryWindowMs = options.maxRetryWindowMs ?? 60_000;
    this.log = options.log ?? ((message) => console.warn(`[eventbridge] ${message}`));
    this.invoker = options.invoker;
    this.archives = new LocalArchives(this.region, this.accountId, this.clock, (busName, event, ruleArns) =>
      this.route(busName, event as unknown as EventEnvelope, ruleArns),
    );
    this.createEventBus(DEFAULT_BUS);
  }

  /** The invoker may exist only after the runner starts, which needs the bus first. */
  setInvoker(invoker: Invoker): void {
    this.invoker = invoker;
  }

  // ----- buses ----------------------------------------------------------------------------------------

  busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:event-bus/${name}`;
  }

  createEventBus(name: string): string {
    if (!/^[/.\-_A-Za-z0-9]{1,256}$/.test(name)) {
      throw new EventBridgeError('ValidationException', `EventBus name ${name} is not valid.`);
    }
    if (this.buses.has(name))
      throw new EventBridgeError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    const bus: Bus = { name, arn: this.busArn(name), rules: new Map() };
    this.buses.set(name, bus);
    return bus.arn;
  }

  /** Creates the bus unless it exists; returns its ARN. */
  ensureEventBus(name: string): string {
    return this.buses.get(name)?.arn ?? this.createEventBus(name);
  }

  hasEventBus(nameOrArn: string): boolean {
    return this.buses.has(this.busName(nameOrArn));
  }

  deleteEventBus(nameOrArn: string): void {
    const name = this.busName(nameOrArn);
    if (name === DEFAULT_BUS)
      throw new EventBridgeError('ValidationException', 'Cannot delete event bus default.');
    const bus = this.buses.get(name);
    if (bus && bus.rules.size > 0) {
      throw new EventBridgeError('ValidationException', `Cannot delete event bus ${name}: it has rules.`);
    }
    this.buses.delete(name);
  }

  describeEventBus(nameOrArn: string = DEFAULT_BUS): { Name: string; Arn: string } {
    const bus = this.requireBus(nameOrArn);
    return { Name: bus.name, Arn: bus.arn };
  }

  listEventBuses(namePrefix?: string): { Name: string; Arn: string }[] {
    return [...this.buses.values()]
      .filter((bus) => !namePrefix || bus.name.startsWith(namePrefix))
      .map((bus) => ({ Name: bus.name, Arn: bus.arn }));
  }

  // ----- rules ----------------------------------------------------------------------------------------

  putRule(input: PutRuleInput): { RuleArn: string } {
    const bus = this.requireBus(input.EventBusName ?? DEFAULT_BUS);
    if (!input.Name || !/^[.\-_A-Za-z0-9]{1,64}$/.test(input.Name)) {
      throw new EventBridgeError('ValidationException', `Rule name ${String(input.Name)} is not valid.`);
    }
    if (!input.EventPattern && !input.ScheduleExpression) {
      throw new EventBridgeError(
        'ValidationException',
        'Parameter(s) EventPattern or ScheduleExpression must be specified.',
      );
    }
    let matcher: EventMatcher | undefined;
    let eventPattern: string | undefined;
    if (input.EventPattern !== undefined) {
      eventPattern =
        typeof input.EventPattern === 'string' ? input.EventPattern : JSON.stringify(input.EventPattern);
      try {
        matcher = compilePattern(eventPattern);
      } catch (error) {
        if (error instanceof UnsupportedPatternError) {
          throw new EventBridgeError(
            'InvalidEventPatternException',
            `Event pattern is not valid. Reason: ${error.message}`,
          );
        }
        throw error;
      }
    }
    let schedule: Schedule | undefined;
    if (input.ScheduleExpression !== undefined) {
      if (bus.name !== DEFAULT_BUS) {
        throw new EventBridgeError(
          'ValidationException',
          'ScheduleExpression is supported only on the default event bus.',
        );
      }
      try {
        schedule = parseSchedule(input.ScheduleExpression);
      } catch (error) {
        if (error instanceof ScheduleExpressionError)
          throw new EventBridgeError('ValidationException', error.message);
        throw error;
      }
    }
    const state = input.State ?? 'ENABLED';
    if (!['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'].includes(state)) {
      throw new EventBridgeError('ValidationException', `State ${state} is not valid.`);
    }
    const existing = bus.rules.get(input.Name);
    const rule: Rule = {
      name: input.Name,
      arn: this.ruleArn(bus.name, input.Name),
      busName: bus.name,
      eventPattern,
      matcher,
      scheduleExpression: input.ScheduleExpression,
      schedule,
      state,
      description: input.Description,
      targets: existing?.targets ?? new Map(),
      createdAt: this.clock.now(),
    };
    bus.rules.set(rule.name, rule);
    this.reschedule();
    return { RuleArn: rule.arn };
  }

  deleteRule(name: string, busName: string = DEFAULT_BUS, force = false): void {
    const bus = this.requireBus(busName);
    const rule = bus.rules.get(name);
    if (!rule) return;
    if (rule.targets.size > 0 && !force) {
      throw new EventBridgeError('ValidationException', "Rule can't be deleted since it has targets.");
    }
    bus.rules.delete(name);
    this.reschedule();
  }

  describeRule(name: string, busName: string = DEFAULT_BUS): RuleDescription {
    return this.describe(this.requireRule(name, busName));
  }

  listRules(busName: string = DEFAULT_BUS, namePrefix?: string): RuleDescription[] {
    return [...this.requireBus(busName).rules.values()]
      .filter((rule) => !namePrefix || rule.name.startsWith(namePrefix))
      .map((rule) => this.describe(rule));
  }

  setRuleState(name: string, busName: string = DEFAULT_BUS, enabled: boolean): void {
    this.requireRule(name, busName).state = enabled ? 'ENABLED' : 'DISABLED';
    this.reschedule();
  }

  // ----- targets --------------------------------------------------------------------------------------

  putTargets(ruleName: string, targets: Target[], busName: string = DEFAULT_BUS) {
    const rule = this.requireRule(ruleName, busName);
    const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    const newIds = targets.filter((t) => !rule.targets.has(t.Id)).length;
    if (rule.targets.size + newIds > MAX_TARGETS_PER_RULE) {
      throw new EventBridgeError(
        'LimitExceededException',
        `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).`,
      );
    }
    for (const target of targets) {
      const problem = !target.Id
        ? 'Target Id is required.'
        : !target.Arn || !target.Arn.startsWith('arn:')
          ? `Target Arn ${String(target.Arn)} is not valid.`
          : validateTargetInput(target);
      if (problem) {
        failed.push({ TargetId: target.Id, ErrorCode: 'ValidationException', ErrorMessage: problem });
        continue;
      }
      rule.targets.set(target.Id, structuredClone(target));
    }
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  removeTargets(ruleName: string, ids: string[], busName: string = DEFAULT_BUS) {
    const rule = this.requireRule(ruleName, busName);
    for (const id of ids) rule.targets.delete(id);
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  listTargets(ruleName: string, busName: string = DEFAULT_BUS): Target[] {
    return [...this.requireRule(ruleName, busName).targets.values()].map((t) => structuredClone(t));
  }

  // ----- events ---------------------------------------------------------------------------------------

  /** PutEvents: validates like AWS, matches synchronously, delivers asynchronously. */
  publish(entries: PutEventsEntry[]): PutEventsResult {
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new EventBridgeError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
      );
    }
    const size = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
    if (size > MAX_REQUEST_BYTES) {
      throw new EventBridgeError(
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    }
    const results = entries.map((entry) => this.publishOne(entry));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  private publishOne(entry: PutEventsEntry): PutEventsResultEntry {
    const invalid = (name: string, reason: string): PutEventsResultEntry => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${name} is not valid. Reason: ${reason}`,
    });
    if (!entry.Source) return invalid('Source', 'Source is a required argument.');
    if (!entry.DetailType) return invalid('DetailType', 'DetailType is a required argument.');
    if (entry.Detail === undefined || entry.Detail === null || entry.Detail === '') {
      return invalid('Detail', 'Detail is a required argument.');
    }
    if (entry.Source.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const busName = this.busName(entry.EventBusName ?? DEFAULT_BUS);
    if (!this.buses.has(busName)) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
    }
    // On the wire (JSON 1.1) a timestamp is epoch seconds; in-process callers pass a Date or a string.
    const time =
      entry.Time === undefined
        ? new Date(this.clock.now())
        : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time);
    if (Number.isNaN(time.getTime())) return invalid('Time', 'Time is not a valid timestamp.');
    const event: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.accountId,
      time: isoSeconds(time),
      region: this.region,
      resources: entry.Resources ?? [],
      detail,
    };
    this.archives.record(busName, event as unknown as ArchivedEvent);
    this.route(busName, event);
    return { EventId: event.id };
  }

  /**
   * Sends an already-built envelope through a bus's rules (used for scheduled, cross-bus and replayed
   * events); a replay names the rules it goes to (`ruleArns`), or all of them.
   */
  route(busName: string, event: EventEnvelope, ruleArns?: readonly string[]): void {
    const bus = this.requireBus(busName);
    for (const rule of bus.rules.values()) {
      if (ruleArns?.length && !ruleArns.includes(rule.arn)) continue;
      if (rule.state === 'DISABLED' || !rule.matcher || !rule.matcher(event)) continue;
      this.deliverToTargets(rule, event);
    }
  }

  /** Resolves when every delivery started so far (including retries) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  onDelivered(listener: DeliveryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ----- scheduler ------------------------------------------------------------------------------------

  /** Starts firing schedule rules (by the injected clock). */
  start(): void {
    this.running = true;
    this.reschedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle();
    this.sqs?.destroy();
    this.sns?.destroy();
    this.sqs = undefined;
    this.sns = undefined;
  }

  /** Fires a rule now, as its schedule would (works for pattern rules too); waits for delivery. */
  async triggerRule(name: string, busName: string = DEFAULT_BUS): Promise<void> {
    const rule = this.requireRule(name, busName);
    const deliveries = this.deliverToTargets(rule, this.scheduledEvent(rule, this.clock.now()));
    await Promise.allSettled(deliveries);
  }

  /** Next fire time (epoch ms) of a schedule rule, for tests and diagnostics. */
  nextFireAt(name: string, busName: string = DEFAULT_BUS): number | undefined {
    return this.requireRule(name, busName).nextFireAt;
  }

  private scheduledEvent(rule: Rule, at: number): EventEnvelope {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.accountId,
      time: isoSeconds(new Date(at)),
      region: this.region,
      resources: [rule.arn],
      detail: {},
    };
  }

  /** Recomputes every schedule rule's next fire time and arms one timer for the earliest. */
  private reschedule(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) return;
    const now = this.clock.now();
    let earliest: number | undefined;
    for (const rule of this.allRules()) {
      if (!rule.schedule || rule.state === 'DISABLED') {
        rule.nextFireAt = undefined;
        continue;
      }
      if (rule.nextFireAt === undefined || rule.nextFireAt < now) {
        rule.nextFireAt = nextFireTime(rule.schedule, Math.max(now, rule.createdAt) - 1, rule.createdAt);
      }
      if (rule.nextFireAt !== undefined && (earliest === undefined || rule.nextFireAt < earliest)) {
        earliest = rule.nextFireAt;
      }
    }
    if (earliest !== undefined) this.timer = this.clock.setTimeout(() => this.fireDue(), earliest - now);
  }

  private fireDue(): void {
    this.timer = undefined;
    const now = this.clock.now();
    for (const rule of this.allRules()) {
      if (
        !rule.schedule ||
        rule.nextFireAt === undefined ||
        rule.nextFireAt > now ||
        rule.state === 'DISABLED'
      )
        continue;
      const firedAt = rule.nextFireAt;
      rule.nextFireAt = nextFireTime(rule.schedule, firedAt, rule.createdAt);
      this.deliverToTargets(rule, this.scheduledEvent(rule, firedAt));
    }
    this.reschedule();
  }

  // ----- delivery -------------------------------------------------------------------------------------

  private deliverToTargets(rule: Rule, event: EventEnvelope): Promise<void>[] {
    return [...rule.targets.values()].map((target) => {
      const delivery = this.deliver(rule, target, event).catch((error: unknown) =>
        this.log(`delivery to ${target.Arn} crashed: ${String(error)}`),
      );
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
      return delivery;
    });
  }

  private async deliver(rule: Rule, target: Target, event: EventEnvelope): Promise<void> {
    const record: DeliveryRecord = {
      busName: rule.busName,
      ruleName: rule.name,
      ruleArn: rule.arn,
      targetId: target.Id,
      targetArn: target.Arn,
      event,
      input: '',
      ok: false,
      attempts: 0,
    };
    try {
      record.input = renderTargetInput(target, event, {
        ruleArn: rule.arn,
        ruleName: rule.name,
        ingestionTime: event.time,
      });
    } catch (error) {
      record.error = `input transformation failed: ${(error as Error).message}`;
    }
    const retries = target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRIES;
    const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86400) * 1000;
    const deadline = Date.now() + Math.min(maxAgeMs, this.maxRetryWindowMs);
    let errorCode = record.error === undefined ? 'RETRIES_EXHAUSTED' : 'INPUT_TRANSFORMATION_FAILED';
    // A failed transformation is not retried: it would fail the same way.
    for (let attempt = 0; record.error === undefined || attempt > 0; attempt++) {
      if (attempt > retries) break;
      if (attempt > 0) {
        const delay = Math.min(this.retryDelayMs * attempt, 10_000);
        if (Date.now() + delay > deadline) break;
        await new Promise((r) => setTimeout(r, delay));
      }
      record.attempts += 1;
      try {
        await this.send(target, record.input, event);
        record.ok = true;
        record.error = undefined;
        break;
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
        // As EventBridge, a refusal that would repeat (bad content, missing queue) is not retried.
        const name = ((error as { name?: string }).name ?? '').replace(/^AWS\.SimpleQueueService\./, '');
        if (NOT_RETRIED.has(name)) {
          errorCode =
            name.includes('NonExistent') || name === 'QueueDoesNotExist'
              ? 'RESOURCE_NOT_FOUND'
              : 'SDK_CLIENT_ERROR';
          break;
        }
      }
    }
    if (!record.ok) {
      const dlq = target.DeadLetterConfig?.Arn;
      this.log(
        `delivery of ${event.id} from rule ${rule.name} to ${target.Arn} failed after ${record.attempts} attempt(s): ${record.error}`,
      );
      if (dlq) {
        try {
          await this.sendToQueue(dlq, JSON.stringify(event), undefined, {
            RULE_ARN: { DataType: 'String', StringValue: rule.arn },
            TARGET_ARN: { DataType: 'String', StringValue: target.Arn },
            ERROR_CODE: { DataType: 'String', StringValue: errorCode },
            ERROR_MESSAGE: { DataType: 'String', StringValue: (record.error ?? 'unknown').slice(0, 1000) },
          });
          record.deadLetterArn = dlq;
        } catch (error) {
          this.log(`could not send ${event.id} to dead-letter queue ${dlq}: ${String(error)}`);
        }
      }
    }
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (error) {
        this.log(`delivery listener failed: ${String(error)}`);
      }
    }
  }

  private async send(target: Target, input: string, event: EventEnvelope): Promise<void> {
    const service = target.Arn.split(':')[2];
    switch (service) {
      case 'sqs':
        await this.sendToQueue(target.Arn, input, target.SqsParameters?.MessageGroupId, undefined, event.id);
        return;
      case 'sns':
        await this.snsClient().send(new PublishCommand({ TopicArn: target.Arn, Message: input }));
        return;
      case 'lambda': {
        if (!this.invoker) throw new Error('no function runner is attached to the bus');
        let payload: unknown = input;
        try {
          payload = JSON.parse(input);
        } catch {
          // Lambda receives non-JSON input as a JSON string.
        }
        const result = await this.invoker.invoke(target.Arn, payload);
        if (!result.ok) throw new Error(`${result.error.errorType}: ${result.error.errorMessage}`);
        return;
      }
      case 'events': {
        const busName = this.busName(target.Arn);
        this.route(busName, event);
        return;
      }
      default:
        throw new Error(`targets of type ${service ?? target.Arn} are not supported locally`);
    }
  }

  private async sendToQueue(
    queueArn: string,
    body: string,
    groupId: string | undefined,
    attributes?: Record<string, MessageAttributeValue>,
    deduplicationId?: string,
  ): Promise<void> {
    const name = queueArn.split(':')[5];
    if (!name) throw new Error(`${queueArn} is not an SQS queue ARN`);
    const client = this.sqsClient();
    let url = this.queueUrls.get(queueArn);
    if (!url) {
      url = (await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
      if (!url) throw new Error(`queue ${name} has no URL`);
      this.queueUrls.set(queueArn, url);
    }
    const fifo = name.endsWith('.fifo');
    await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        MessageAttributes: attributes,
        MessageGroupId: fifo ? (groupId ?? 'default') : undefined,
        MessageDeduplicationId: fifo ? (deduplicationId ?? randomUUID()) : undefined,
      }),
    );
  }

  private sqsClient(): SQSClient {
    const endpoint = this.options.endpoints?.sqs;
    if (!endpoint) throw new Error('the bus has no SQS endpoint');
    return (this.sqs ??= new SQSClient({
      endpoint,
      region: this.region,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 2,
    }));
  }

  private snsClient(): SNSClient {
    const endpoint = this.options.endpoints?.sns ?? this.options.endpoints?.sqs;
    if (!endpoint) throw new Error('the bus has no SNS endpoint');
    return (this.sns ??= new SNSClient({
      endpoint,
      region: this.region,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 2,
    }));
  }

  // ----- helpers --------------------------------------------------------------------------------------

  /** Accepts a bus name or ARN. */
  busName(nameOrArn: string): string {
    const match = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
    return match?.[1] ?? nameOrArn;
  }

  private ruleArn(busName: string, name: string): string {
    const path = busName === DEFAULT_BUS ? name : `${busName}/${name}`;
    return `arn:aws:events:${this.region}:${this.accountId}:rule/${path}`;
  }

  private requireBus(nameOrArn: string): Bus {
    const name = this.busName(nameOrArn);
    const bus = this.buses.get(name);
    if (!bus) throw new EventBridgeError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  }

  private requireRule(name: string, busName: string): Rule {
    const bus = this.requireBus(busName);
    const rule = bus.rules.get(name);
    if (!rule)
      throw new EventBridgeError(
        'ResourceNotFoundException',
        `Rule ${name} does not exist on EventBus ${bus.name}.`,
      );
    return rule;
  }

  private *allRules(): Iterable<Rule> {
    for (const bus of this.buses.values()) yield* bus.rules.values();
  }

  private describe(rule: Rule): RuleDescription {
    return {
      Name: rule.name,
      Arn: rule.arn,
      EventBusName: rule.busName,
      EventPattern: rule.eventPattern,
      ScheduleExpression: rule.scheduleExpression,
      State: rule.state,
      Description: rule.description,
      CreatedBy: this.accountId,
    };
  }
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** EventBridge times have second precision: 2024-01-01T00:00:00Z. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
