/**
 * CloudWatch alarms, locally: the SQS depth metric (every DLQ's alarm) and the AWS/Lambda Errors and
 * Duration metrics of the hosted functions (the alarms @switchyard/monitoring generates), evaluated
 * on a timer by the local cloud (cloud.ts). Throttles (the local cloud queues instead), iterator age
 * and metric-math alarms are not evaluated.
 */
import { ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AlarmState } from './dev-info';
import type { AlarmDefinition } from './provision';
import type { FunctionMetrics } from './runner/host/invocation-metrics';
import { LOCAL_ACCOUNT_ID } from './types';

/** Each function's figures over a window, as FunctionHost.metrics gives them. */
export type FunctionMetricsSource = (windowMs: number, functionName: string) => FunctionMetrics | undefined;

/** AWS/Lambda metrics the local cloud measures, and the statistic each alarm uses on them. */
const FUNCTION_METRICS: Record<string, (m: FunctionMetrics) => number> = {
  Errors: (m) => m.errors,
  Duration: (m) => m.maxMs ?? 0,
};

/**
 * Evaluates the templates' SQS depth alarms (every DLQ has one) against the local queues, so a
 * message reaching a DLQ is as visible locally as the CloudWatch alarm makes it on AWS: a log line,
 * dev.json's `alarms`, and CloudWatch's notification published to the alarm's SNS actions.
 */
export class AlarmWatcher {
  private readonly sqs: SQSClient;
  private readonly sns: SNSClient;
  private readonly region: string;
  private readonly current = new Map<string, AlarmState>();
  /** Queue URLs by name: a queue keeps its URL, so only the depth is asked for on each evaluation. */
  private readonly queueUrls = new Map<string, string>();

  constructor(
    private readonly definitions: AlarmDefinition[],
    endpoint: string,
    region: string,
    private readonly log: (line: string) => void,
    private readonly functionMetrics?: FunctionMetricsSource,
  ) {
    const config = { endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    this.sqs = new SQSClient(config);
    this.sns = new SNSClient(config);
    this.region = region;
  }

  states(): AlarmState[] {
    return [...this.current.values()];
  }

  /** Returns whether any alarm changed state. */
  async evaluate(): Promise<boolean> {
    let changed = false;
    const heard = new Map<string, Promise<boolean>>();
    const isHeard = (topic: string) => {
      let answer = heard.get(topic);
      if (!answer) heard.set(topic, (answer = this.hasSubscribers(topic)));
      return answer;
    };
    // Every queue's depth at once; then each alarm in order, notifying as CloudWatch would.
    const states = await Promise.all(
      this.definitions.map(async (alarm) => (await this.queueAlarm(alarm)) ?? this.functionAlarm(alarm)),
    );
    for (const [index, alarm] of this.definitions.entries()) {
      const state = states[index];
      if (!state) continue;
      const before = this.current.get(alarm.alarmName);
      if (!before || before.state !== state.state) {
        changed = true;
        await this.notify(alarm, state, before?.state ?? 'INSUFFICIENT_DATA', isHeard);
        if (state.state === 'ALARM') this.log(`ALARM ${alarm.alarmName}: ${describeState(state)}`);
        else if (before) this.log(`OK ${alarm.alarmName}: ${describeState(state)}`);
      }
      if (before?.value !== state.value) changed = true;
      this.current.set(alarm.alarmName, state);
    }
    return changed;
  }

  private async queueAlarm(alarm: AlarmDefinition): Promise<AlarmState | undefined> {
    const p = alarm.properties;
    if (p.Namespace !== 'AWS/SQS' || p.MetricName !== 'ApproximateNumberOfMessagesVisible') return undefined;
    const queue = dimension(alarm, 'QueueName');
    if (queue === undefined) return undefined;
    const depth = await this.depth(queue);
    if (depth === undefined) return undefined;
    return {
      name: alarm.alarmName,
      queue,
      depth,
      value: depth,
      state: firing(alarm, depth) ? 'ALARM' : 'OK',
    };
  }

  /** Errors (sum) or Duration (maximum) of a hosted function over the alarm's period. */
  private functionAlarm(alarm: AlarmDefinition): AlarmState | undefined {
    const p = alarm.properties;
    const statistic = typeof p.MetricName === 'string' ? FUNCTION_METRICS[p.MetricName] : undefined;
    const functionName = dimension(alarm, 'FunctionName');
    if (p.Namespace !== 'AWS/Lambda' || !statistic || functionName === undefined || !this.functionMetrics) {
      return undefined;
    }
    const periodMs = Number(p.Period ?? 60) * 1000;
    const metrics = this.functionMetrics(periodMs, functionName);
    // No invocation in the period: no datapoint, which the generated alarms treat as not breaching.
    const value = metrics && metrics.invocations > 0 ? statistic(metrics) : 0;
    return {
      name: alarm.alarmName,
      functionName,
      metric: String(p.MetricName),
      value,
      state: metrics && metrics.invocations > 0 && firing(alarm, value) ? 'ALARM' : 'OK',
    };
  }

  /**
   * What CloudWatch sends to an alarm's AlarmActions (OKActions) topics when its state changes, to
   * the topics someone subscribed to: every start moves all alarms (about 250) from INSUFFICIENT_DATA
   * to OK, and publishing those to a topic nobody hears took about 0.7 s of every start.
   */
  private async notify(
    alarm: AlarmDefinition,
    state: AlarmState,
    oldState: string,
    isHeard: (topic: string) => Promise<boolean>,
  ): Promise<void> {
    const p = alarm.properties;
    const actions = (state.state === 'ALARM' ? p.AlarmActions : p.OKActions) as unknown[] | undefined;
    const topics = (actions ?? []).filter((a): a is string => typeof a === 'string' && a.includes(':sns:'));
    if (topics.length === 0) return;
    const message = alarmNotification(alarm, state, oldState, this.region);
    for (const topic of topics) {
      if (!(await isHeard(topic))) continue;
      try {
        await this.sns.send(
          new PublishCommand({
            TopicArn: topic,
            Subject: `${state.state}: "${alarm.alarmName}" in ${this.region}`.slice(0, 100),
            Message: JSON.stringify(message),
          }),
        );
      } catch (error) {
        this.log(`alarm ${alarm.alarmName}: notifying ${topic} failed: ${(error as Error).message}`);
      }
    }
  }

  /** Whether `topic` has a subscription; when that cannot be told, it is taken to have one. */
  private async hasSubscribers(topic: string): Promise<boolean> {
    try {
      const { Subscriptions } = await this.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }));
      return (Subscriptions ?? []).length > 0;
    } catch {
      return true;
    }
  }

  private async depth(queueName: string): Promise<number | undefined> {
    try {
      let queueUrl = this.queueUrls.get(queueName);
      if (!queueUrl) {
        queueUrl = (await this.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
        if (queueUrl) this.queueUrls.set(queueName, queueUrl);
      }
      const { Attributes } = await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    } catch {
      // The queue may have gone (or come back under another URL): look it up again next time.
      this.queueUrls.delete(queueName);
      return undefined;
    }
  }
}

/** The JSON CloudWatch publishes to SNS when an alarm changes state (the fields we know locally). */
export function alarmNotification(
  alarm: AlarmDefinition,
  state: AlarmState,
  oldState: string,
  region: string,
  now = new Date(),
): Record<string, unknown> {
  const p = alarm.properties;
  const threshold = Number(p.Threshold ?? 0);
  return {
    AlarmName: alarm.alarmName,
    AlarmDescription: p.AlarmDescription ?? null,
    AWSAccountId: LOCAL_ACCOUNT_ID,
    NewStateValue: state.state,
    NewStateReason:
      state.state === 'ALARM'
        ? `Threshold Crossed: 1 datapoint [${state.value.toFixed(1)}] was ${describeOperator(String(p.ComparisonOperator ?? 'GreaterThanThreshold'))} the threshold (${threshold.toFixed(1)}).`
        : `Threshold Crossed: 1 datapoint [${state.value.toFixed(1)}] was not ${describeOperator(String(p.ComparisonOperator ?? 'GreaterThanThreshold'))} the threshold (${threshold.toFixed(1)}).`,
    StateChangeTime: now.toISOString().replace('Z', '+0000'),
    Region: region,
    AlarmArn: `arn:aws:cloudwatch:${region}:${LOCAL_ACCOUNT_ID}:alarm:${alarm.alarmName}`,
    OldStateValue: oldState,
    Trigger: {
      MetricName: p.MetricName,
      Namespace: p.Namespace,
      StatisticType: 'Statistic',
      Statistic: String(p.Statistic ?? 'Maximum').toUpperCase(),
      Dimensions: ((p.Dimensions as { Name: string; Value: unknown }[] | undefined) ?? []).map((d) => ({
        value: d.Value,
        name: d.Name,
      })),
      Period: p.Period,
      EvaluationPeriods: p.EvaluationPeriods,
      ComparisonOperator: p.ComparisonOperator,
      Threshold: threshold,
      TreatMissingData: p.TreatMissingData ?? 'missing',
    },
  };
}

function dimension(alarm: AlarmDefinition, name: string): string | undefined {
  const dimensions = (alarm.properties.Dimensions as { Name: string; Value: unknown }[] | undefined) ?? [];
  const value = dimensions.find((d) => d.Name === name)?.Value;
  return typeof value === 'string' ? value : undefined;
}

function firing(alarm: AlarmDefinition, value: number): boolean {
  const p = alarm.properties;
  return compare(String(p.ComparisonOperator ?? 'GreaterThanThreshold'), value, Number(p.Threshold ?? 0));
}

/** A log line's account of an alarm's datapoint. */
export function describeState(state: AlarmState): string {
  if (state.queue !== undefined) {
    return state.state === 'ALARM'
      ? `${state.queue} holds ${state.value} message(s); see docs/runbooks/dlq.md`
      : `${state.queue} is empty again`;
  }
  const what =
    state.metric === 'Duration'
      ? `slowest invocation ${Math.round(state.value)} ms`
      : `${state.value} error(s)`;
  return `${state.functionName}: ${what} in the alarm's period`;
}

function describeOperator(operator: string): string {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return 'greater than or equal to';
    case 'LessThanThreshold':
      return 'less than';
    case 'LessThanOrEqualToThreshold':
      return 'less than or equal to';
    default:
      return 'greater than';
  }
}

function compare(operator: string, value: number, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      return value > threshold;
  }
}
