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
function alarmMetrics(props: Record<string, unknown>): MetricRef[] {
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

/**
 * Every queue a function consumes redrives to a DLQ, and every DLQ has an alarm with an action, so a
 * poisoned message is kept and someone hears about it.
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
    }
  }
  return violations;
};
