import { asArray, isRecord, literalText, references } from '../intrinsics';
import type { CloudFormationTemplate, Resource, Rule, Violation } from '../types';
import { PLATFORM_SERVICE } from './platform';
import { alarmMetrics } from './sqs';

/** The platform's alert topic, as every other service's alarms import it. */
const CENTRAL_TOPIC_EXPORT = /^switchyard-.+-alert-topic-arn$/;

type Alarm = [string, Resource];

function alarmsOf(template: CloudFormationTemplate): Alarm[] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
}

/** An alarm action that is the central alert topic: its import, or (in the platform) its own topic. */
function isCentralTopic(action: unknown, template: CloudFormationTemplate, service?: string): boolean {
  if (isRecord(action) && typeof action['Fn::ImportValue'] === 'string') {
    return CENTRAL_TOPIC_EXPORT.test(action['Fn::ImportValue']);
  }
  if (service !== PLATFORM_SERVICE) return false;
  const [ref] = references(action);
  return ref !== undefined && template.Resources[ref.id]?.Type === 'AWS::SNS::Topic';
}

function notifiesCentralTopic(alarm: Resource, template: CloudFormationTemplate, service?: string): boolean {
  return asArray(alarm.Properties?.AlarmActions).some((action) => isCentralTopic(action, template, service));
}

/** Whether a dimension value names resource `id`: a Ref to it, or its literal physical name. */
function namesResource(value: unknown, id: string, resource: Resource, nameProperty: string): boolean {
  if (references(value).some((ref) => ref.id === id && ref.attribute === undefined)) return true;
  const name = literalText(resource.Properties?.[nameProperty]);
  return name !== undefined && literalText(value) === name;
}

function watching(
  alarms: Alarm[],
  namespace: string,
  metricNames: readonly string[],
  dimension: string,
  id: string,
  resource: Resource,
  nameProperty: string,
): Alarm[] {
  return alarms.filter(([, alarm]) =>
    alarmMetrics(alarm.Properties ?? {}).some(
      (metric) =>
        metric.Namespace === namespace &&
        typeof metric.MetricName === 'string' &&
        metricNames.includes(metric.MetricName) &&
        asArray(metric.Dimensions).some(
          (d) => isRecord(d) && d.Name === dimension && namesResource(d.Value, id, resource, nameProperty),
        ),
    ),
  );
}

/** The table or stream an event source mapping reads, when it is a stream (not a queue). */
function readsStream(mapping: Resource, template: CloudFormationTemplate): boolean {
  const source = mapping.Properties?.EventSourceArn;
  const ref = references(source)[0];
  const target = ref && template.Resources[ref.id];
  if (target?.Type === 'AWS::DynamoDB::Table') return ref?.attribute === 'StreamArn';
  if (target?.Type === 'AWS::Kinesis::Stream') return true;
  const text = literalText(source) ?? '';
  return /:dynamodb:.*\/stream\/|:kinesis:/.test(text);
}

/**
 * Every function has errors, throttles and duration alarms; every table a throttling alarm; every
 * stream consumer an iterator-age alarm; each notifying the central alert topic. And every alarm
 * that notifies anyone notifies the central topic (per-service topics have no subscribers).
 */
export const monitoringRules: Rule = (template, { service }) => {
  const violations: Violation[] = [];
  const alarms = alarmsOf(template);
  const expectAlarm = (rule: string, id: string, found: Alarm[], what: string) => {
    if (found.length === 0) {
      violations.push({ rule, resource: id, message: `has no ${what} alarm` });
    } else if (!found.some(([, alarm]) => notifiesCentralTopic(alarm, template, service))) {
      violations.push({
        rule,
        resource: id,
        message: `has a ${what} alarm that does not notify the central alert topic (!ImportValue switchyard-<stage>-alert-topic-arn)`,
      });
    }
  };

  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Lambda::Function') {
      for (const metric of ['Errors', 'Throttles', 'Duration']) {
        const found = watching(alarms, 'AWS/Lambda', [metric], 'FunctionName', id, resource, 'FunctionName');
        expectAlarm('monitoring-function-alarms', id, found, `${metric} (AWS/Lambda)`);
      }
    } else if (resource.Type === 'AWS::DynamoDB::Table') {
      const found = watching(
        alarms,
        'AWS/DynamoDB',
        ['ReadThrottleEvents', 'WriteThrottleEvents', 'ThrottledRequests'],
        'TableName',
        id,
        resource,
        'TableName',
      );
      expectAlarm('monitoring-table-alarms', id, found, 'throttling (AWS/DynamoDB)');
    }
  }

  const consumers = new Set<string>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping' || !readsStream(resource, template)) continue;
    const fn = references(resource.Properties?.FunctionName)[0]?.id;
    if (fn && template.Resources[fn]) consumers.add(fn);
  }
  for (const id of consumers) {
    const fn = template.Resources[id]!;
    const found = watching(alarms, 'AWS/Lambda', ['IteratorAge'], 'FunctionName', id, fn, 'FunctionName');
    expectAlarm('monitoring-stream-consumer-alarms', id, found, 'IteratorAge (AWS/Lambda)');
  }

  for (const [id, alarm] of alarms) {
    const actions = asArray(alarm.Properties?.AlarmActions);
    if (actions.length > 0 && !notifiesCentralTopic(alarm, template, service)) {
      violations.push({
        rule: 'alarm-central-topic',
        resource: id,
        message:
          "notifies a topic of its own; alarms notify the platform's alert topic (!ImportValue switchyard-<stage>-alert-topic-arn)",
      });
    }
  }
  return violations;
};
