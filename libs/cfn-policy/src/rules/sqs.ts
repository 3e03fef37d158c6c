import { asArray, asObject, isRecord, literalText, references, sameValue } from '../intrinsics';
import type { CloudFormationTemplate, Resource, Rule, Violation } from '../types';

type Queues = [string, Resource][];

function queuesOf(template: CloudFormationTemplate): Queues {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::SQS::Queue');
}

/** The queue of this template an ARN-valued property points at: by Ref/GetAtt/Sub, or by its literal name. */
function queueReferencedBy(value: unknown, queues: Queues): string | undefined {
  const ids = new Set(references(value).map((ref) => ref.id));
  const text = literalText(value);
  for (const [id, queue] of queues) {
    if (ids.has(id)) return id;
    const name = literalText(queue.Properties?.QueueName);
    if (name && text && !name.includes('$') && text.endsWith(`:${name}`)) return id;
  }
  return undefined;
}

function looksLikeSqsArn(value: unknown): boolean {
  return (literalText(value) ?? '').includes(':sqs:');
}

/** A QueueName dimension must name the queue: GetAtt X.QueueName, or the queue's own QueueName value. */
function dimensionNamesQueue(value: unknown, id: string, queue: Resource): boolean {
  if (references(value).some((ref) => ref.id === id && ref.attribute === 'QueueName')) return true;
  const name = queue.Properties?.QueueName;
  return name !== undefined && sameValue(value, name);
}

interface MetricRef {
  Namespace?: unknown;
  MetricName?: unknown;
  Dimensions?: unknown;
}

/** The metrics an alarm watches: the classic single metric, or each MetricStat of a metric-math alarm. */
export function alarmMetrics(props: Record<string, unknown>): MetricRef[] {
  const metrics: MetricRef[] = [props];
  for (const query of asArray(props.Metrics)) {
    if (isRecord(query) && isRecord(query.MetricStat) && isRecord(query.MetricStat.Metric)) {
      metrics.push(query.MetricStat.Metric);
    }
  }
  return metrics;
}

function alarmWatchesQueue(props: Record<string, unknown>, id: string, queue: Resource): boolean {
  return alarmMetrics(props).some(
    (metric) =>
      metric.Namespace === 'AWS/SQS' &&
      metric.MetricName === 'ApproximateNumberOfMessagesVisible' &&
      asArray(metric.Dimensions).some(
        (dimension) =>
          isRecord(dimension) &&
          dimension.Name === 'QueueName' &&
          dimensionNamesQueue(dimension.Value, id, queue),
      ),
  );
}

/** Whether an alarm with this operator and threshold fires on 1 message and not on 0; undefined when unknown. */
function firesOnFirstMessage(props: Record<string, unknown>): boolean | undefined {
  const operator = props.ComparisonOperator;
  const threshold = props.Threshold === undefined ? undefined : Number(props.Threshold);
  if (typeof operator !== 'string' || threshold === undefined || Number.isNaN(threshold)) return undefined;
  const fires = (depth: number): boolean | undefined => {
    switch (operator) {
      case 'GreaterThanThreshold':
        return depth > threshold;
      case 'GreaterThanOrEqualToThreshold':
        return depth >= threshold;
      case 'LessThanThreshold':
        return depth < threshold;
      case 'LessThanOrEqualToThreshold':
        return depth <= threshold;
      default:
        return undefined;
    }
  };
  const one = fires(1);
  const zero = fires(0);
  return one === undefined || zero === undefined ? undefined : one && !zero;
}

/** An alarm action that is certainly not an SNS topic: a resource of another type, or a non-SNS ARN. */
function isKnownNonSnsAction(value: unknown, template: CloudFormationTemplate): boolean {
  const [ref] = references(value);
  if (ref) {
    const resource = template.Resources[ref.id];
    return resource !== undefined && resource.Type !== 'AWS::SNS::Topic';
  }
  const text = literalText(value);
  return text !== undefined && !text.includes(':sns:');
}

/**
 * Every queue a function consumes redrives to a DLQ, and every DLQ has an alarm that fires on its
 * first message and notifies an SNS topic, so a poisoned message is kept and someone hears about it.
 * DLQs are RedrivePolicy targets, stream event sources' on-failure destinations and bus rule
 * targets' dead-letter queues.
 */
export const sqsRules: Rule = (template) => {
  const violations: Violation[] = [];
  const queues = queuesOf(template);
  const byId = new Map(queues);

  const deadLetterQueues = new Set<string>();
  for (const [, queue] of queues) {
    const redrive = asObject(queue.Properties?.RedrivePolicy);
    const target = redrive && queueReferencedBy(redrive.deadLetterTargetArn, queues);
    if (target) deadLetterQueues.add(target);
  }
  for (const [, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Lambda::EventSourceMapping') {
      const destination = asObject(asObject(resource.Properties?.DestinationConfig)?.OnFailure)?.Destination;
      const id = destination === undefined ? undefined : queueReferencedBy(destination, queues);
      if (id) deadLetterQueues.add(id);
    }
    if (resource.Type === 'AWS::Events::Rule') {
      for (const target of asArray(resource.Properties?.Targets)) {
        const arn = asObject(asObject(target)?.DeadLetterConfig)?.Arn;
        const id = arn === undefined ? undefined : queueReferencedBy(arn, queues);
        if (id) deadLetterQueues.add(id);
      }
    }
  }

  const consumed = new Set<string>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const source = resource.Properties?.EventSourceArn;
    const queueId = queueReferencedBy(source, queues);
    if (queueId) consumed.add(queueId);
    else if (looksLikeSqsArn(source)) {
      violations.push({
        rule: 'sqs-consumer-dlq',
        resource: id,
        message:
          'consumes a queue this stack does not define, so its DLQ cannot be checked; consume queues you own',
      });
    }
  }

  for (const id of consumed) {
    const redrive = asObject(byId.get(id)?.Properties?.RedrivePolicy);
    const target = redrive?.deadLetterTargetArn;
    if (!redrive || target === undefined) {
      violations.push({
        rule: 'sqs-consumer-dlq',
        resource: id,
        message: 'is consumed by a function but has no RedrivePolicy.deadLetterTargetArn',
      });
    } else if (!queueReferencedBy(target, queues) && !looksLikeSqsArn(target)) {
      violations.push({
        rule: 'sqs-consumer-dlq',
        resource: id,
        message: 'RedrivePolicy.deadLetterTargetArn does not point at an SQS queue',
      });
    }
  }

  const alarms = Object.values(template.Resources).filter(
    (resource) => resource.Type === 'AWS::CloudWatch::Alarm',
  );
  for (const id of deadLetterQueues) {
    const queue = byId.get(id)!;
    const watching = alarms.filter((alarm) => alarmWatchesQueue(alarm.Properties ?? {}, id, queue));
    if (watching.length === 0) {
      violations.push({
        rule: 'sqs-dlq-alarm',
        resource: id,
        message:
          'is a DLQ without an AWS/SQS ApproximateNumberOfMessagesVisible alarm whose QueueName dimension names it',
      });
    } else if (!watching.some((alarm) => asArray(alarm.Properties?.AlarmActions).length > 0)) {
      violations.push({
        rule: 'sqs-dlq-alarm',
        resource: id,
        message: 'is a DLQ whose alarm has no AlarmActions, so nobody is told',
      });
    } else if (
      !watching.some((alarm) =>
        asArray(alarm.Properties?.AlarmActions).some((action) => !isKnownNonSnsAction(action, template)),
      )
    ) {
      violations.push({
        rule: 'sqs-dlq-alarm',
        resource: id,
        message:
          "is a DLQ whose alarm notifies no SNS topic (AlarmActions must include the stage's alert topic)",
      });
    } else if (watching.every((alarm) => firesOnFirstMessage(alarm.Properties ?? {}) === false)) {
      violations.push({
        rule: 'sqs-dlq-alarm',
        resource: id,
        message:
          'is a DLQ whose alarm does not fire on its first message (use GreaterThanThreshold with Threshold 0)',
      });
    }
  }
  return violations;
};
