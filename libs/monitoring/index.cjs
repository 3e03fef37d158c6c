'use strict';
// An osls plugin every service lists (`plugins: ['@switchyard/monitoring']`). At package time,
// once the service's own resources are merged into the compiled template, it adds:
//   - per function: errors, throttles and duration near its timeout;
//   - per DynamoDB table: read and write throttle events;
//   - per stream consumer (an event source mapping on a DynamoDB or Kinesis stream): iterator age;
// every alarm notifying the platform's central alert topic (imported; decision 21). With
// `custom.monitoring.dashboard: true` (the platform service) it adds the stage's CloudWatch
// dashboard instead, built from serverless-compose.yml. Plain CommonJS: osls requires it with Node.
/* eslint-disable @typescript-eslint/no-require-imports -- osls require()s this file: CommonJS. */
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { parse } = require('yaml');
/* eslint-enable @typescript-eslint/no-require-imports */

/** The export every alarm's actions import: the platform's alert topic (services/platform). */
function alertTopicImport(stage) {
  return { 'Fn::ImportValue': `switchyard-${stage}-alert-topic-arn` };
}

const DEFAULTS = {
  /** A duration alarm fires when the slowest invocation in 5 minutes took this share of the timeout. */
  durationShareOfTimeout: 0.8,
  /** A stream consumer this far behind (ms), for 3 minutes running, is stuck or too slow. */
  iteratorAgeMs: 120000,
};

function shortId(logicalId) {
  return logicalId.replace(/LambdaFunction$/, '');
}

function literalOr(value, fallback) {
  return typeof value === 'string' ? value : fallback;
}

function alarm(properties, actions) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      TreatMissingData: 'notBreaching',
      ...properties,
      AlarmActions: actions,
      OKActions: actions,
    },
  };
}

/** The logical id of the table or stream a mapping reads, when it is a stream of this template. */
function streamSourceOf(mapping, resources) {
  const arn = mapping.Properties && mapping.Properties.EventSourceArn;
  const getAtt = arn && arn['Fn::GetAtt'];
  const [id, attribute] = Array.isArray(getAtt)
    ? getAtt
    : typeof getAtt === 'string'
      ? getAtt.split('.')
      : [];
  const source = id && resources[id];
  if (!source) return undefined;
  if (source.Type === 'AWS::DynamoDB::Table' && attribute === 'StreamArn') return id;
  if (source.Type === 'AWS::Kinesis::Stream') return id;
  return undefined;
}

function functionOfMapping(mapping) {
  const name = mapping.Properties && mapping.Properties.FunctionName;
  if (name && typeof name.Ref === 'string') return name.Ref;
  const getAtt = name && name['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return getAtt[0];
  return undefined;
}

/**
 * The alarms a service's template needs, keyed by logical id (pure: template in, resources out).
 * `service` and `stage` name the alarms; `actions` default to the central alert topic's import.
 */
function monitoringResources(template, { service, stage, actions, settings = {} }) {
  const resources = template.Resources || {};
  const options = { ...DEFAULTS, ...settings };
  const notify = actions || [alertTopicImport(stage)];
  const out = {};

  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const name = literalOr(
      resource.Properties && resource.Properties.FunctionName,
      `${service}-${stage}-${id}`,
    );
    const dimensions = [{ Name: 'FunctionName', Value: { Ref: id } }];
    const timeoutSeconds = Number((resource.Properties && resource.Properties.Timeout) || 6);
    const base = { Namespace: 'AWS/Lambda', Dimensions: dimensions, Period: 60, EvaluationPeriods: 1 };
    // Any error or throttle in a minute: errors are bugs (handlers answer bad input themselves).
    const counted = {
      Errors: `${name} failed (an unhandled error, a timeout or a crash); see its logs`,
      Throttles: `${name} was throttled (account or reserved concurrency reached)`,
    };
    for (const [metric, description] of Object.entries(counted)) {
      out[`${shortId(id)}${metric}Alarm`] = alarm(
        {
          ...base,
          AlarmName: `${name}-${metric.toLowerCase()}`,
          AlarmDescription: description,
          MetricName: metric,
          Statistic: 'Sum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
        },
        notify,
      );
    }
    out[`${shortId(id)}DurationAlarm`] = alarm(
      {
        ...base,
        AlarmName: `${name}-duration`,
        AlarmDescription: `${name} ran close to its ${timeoutSeconds} s timeout`,
        MetricName: 'Duration',
        Statistic: 'Maximum',
        Period: 300,
        Threshold: Math.round(timeoutSeconds * 1000 * options.durationShareOfTimeout),
        ComparisonOperator: 'GreaterThanThreshold',
      },
      notify,
    );
  }

  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::DynamoDB::Table') continue;
    const name = literalOr(resource.Properties && resource.Properties.TableName, `${service}-${stage}-${id}`);
    const metric = (metricName) => ({
      Namespace: 'AWS/DynamoDB',
      MetricName: metricName,
      Dimensions: [{ Name: 'TableName', Value: { Ref: id } }],
    });
    out[`${id}ThrottlesAlarm`] = alarm(
      {
        AlarmName: `${name}-throttles`,
        AlarmDescription: `Requests to ${name} were throttled`,
        Metrics: [
          {
            Id: 'reads',
            ReturnData: false,
            MetricStat: { Metric: metric('ReadThrottleEvents'), Period: 60, Stat: 'Sum' },
          },
          {
            Id: 'writes',
            ReturnData: false,
            MetricStat: { Metric: metric('WriteThrottleEvents'), Period: 60, Stat: 'Sum' },
          },
          {
            Id: 'throttles',
            Label: 'throttled requests',
            Expression: 'FILL(reads, 0) + FILL(writes, 0)',
            ReturnData: true,
          },
        ],
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      },
      notify,
    );
  }

  const consumers = new Set();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    if (!streamSourceOf(resource, resources)) continue;
    const fn = functionOfMapping(resource);
    if (fn && resources[fn]) consumers.add(fn);
  }
  for (const id of consumers) {
    const fn = resources[id];
    const name = literalOr(fn.Properties && fn.Properties.FunctionName, `${service}-${stage}-${id}`);
    out[`${shortId(id)}IteratorAgeAlarm`] = alarm(
      {
        AlarmName: `${name}-iterator-age`,
        AlarmDescription: `${name} is falling behind its stream (the oldest record it read is old)`,
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: options.iteratorAgeMs,
        ComparisonOperator: 'GreaterThanThreshold',
      },
      notify,
    );
  }
  return out;
}

/** The folder holding serverless-compose.yml, searched upwards from a service's folder. */
function composeRoot(start) {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'serverless-compose.yml'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The service names serverless-compose.yml lists, in order. */
function composeServiceNames(root) {
  const config = parse(readFileSync(join(root, 'serverless-compose.yml'), 'utf8'));
  return Object.keys((config && config.services) || {});
}

const WIDTH = 24;

function graph(title, metrics, x, y, { width = 8, stat, period = 60 } = {}) {
  return {
    type: 'metric',
    x,
    y,
    width,
    height: 6,
    properties: {
      title,
      region: '${AWS::Region}',
      view: 'timeSeries',
      period,
      ...(stat ? { stat } : {}),
      metrics,
    },
  };
}

/**
 * The stage's dashboard as an AWS::CloudWatch::Dashboard whose body is an Fn::Sub over
 * `${apiLogicalId}` and `${AWS::Region}`: the API's traffic, errors and latency, then one row per
 * service. Services are deployed after the platform and change on their own, so each row finds
 * its functions, tables and queues with SEARCH expressions on the service's name prefix
 * (`<service>-<stage>-`), the naming every service follows, instead of a list fixed today.
 */
function dashboardResource({ stage, services, apiLogicalId }) {
  const widgets = [];
  const api = (metricName, options = {}) => [
    'AWS/ApiGateway',
    metricName,
    'ApiId',
    `\${${apiLogicalId}}`,
    options,
  ];
  widgets.push(
    graph(
      'API requests and errors',
      [api('Count', { stat: 'Sum' }), api('4xx', { stat: 'Sum' }), api('5xx', { stat: 'Sum' })],
      0,
      0,
    ),
    graph('API latency (ms)', [api('Latency', { stat: 'p50' }), api('Latency', { stat: 'p99' })], 8, 0),
    graph(
      'Dead-letter and failure queues (messages)',
      [
        [
          {
            expression: `SEARCH('{AWS/SQS,QueueName} MetricName="ApproximateNumberOfMessagesVisible" ${stage}', 'Maximum', 60)`,
            id: 'dlqs',
          },
        ],
      ],
      16,
      0,
    ),
  );
  let y = 6;
  for (const service of services) {
    const prefix = `${service}-${stage}`;
    const search = (schema, metric, stat) => [
      {
        expression: `SEARCH('{${schema}} MetricName="${metric}" ${prefix}', '${stat}', 60)`,
        id: metric.toLowerCase().replace(/[^a-z]/g, ''),
      },
    ];
    widgets.push({
      type: 'text',
      x: 0,
      y,
      width: WIDTH,
      height: 1,
      properties: { markdown: `## ${service}` },
    });
    y += 1;
    widgets.push(
      graph(
        `${service}: function errors and throttles`,
        [
          search('AWS/Lambda,FunctionName', 'Errors', 'Sum'),
          search('AWS/Lambda,FunctionName', 'Throttles', 'Sum'),
        ],
        0,
        y,
        { width: 6 },
      ),
      graph(
        `${service}: function duration p99 (ms)`,
        [search('AWS/Lambda,FunctionName', 'Duration', 'p99')],
        6,
        y,
        { width: 6 },
      ),
      graph(
        `${service}: stream iterator age (ms)`,
        [search('AWS/Lambda,FunctionName', 'IteratorAge', 'Maximum')],
        12,
        y,
        { width: 6 },
      ),
      graph(
        `${service}: table throttles`,
        [
          search('AWS/DynamoDB,TableName', 'ReadThrottleEvents', 'Sum'),
          search('AWS/DynamoDB,TableName', 'WriteThrottleEvents', 'Sum'),
        ],
        18,
        y,
        { width: 6 },
      ),
    );
    y += 6;
  }
  return {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: {
      DashboardName: `switchyard-${stage}`,
      DashboardBody: { 'Fn::Sub': JSON.stringify({ widgets }) },
    },
  };
}

class SwitchyardMonitoring {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      // After the service's own `resources` are merged, so its tables are in the template too.
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.addMonitoring(),
    };
  }

  addMonitoring() {
    const { service } = this.serverless;
    const provider = this.serverless.getProvider('aws');
    const stage = provider.getStage();
    const template = service.provider.compiledCloudFormationTemplate;
    const settings = (service.custom && service.custom.monitoring) || {};
    const added = monitoringResources(template, { service: service.service, stage, settings });
    if (settings.dashboard) {
      const root = composeRoot(this.serverless.serviceDir);
      const services = root ? composeServiceNames(root).filter((name) => name !== service.service) : [];
      added.StageDashboard = dashboardResource({
        stage,
        services,
        apiLogicalId: settings.apiLogicalId || 'HttpApi',
      });
    }
    for (const [id, resource] of Object.entries(added)) {
      if (template.Resources[id]) {
        throw new Error(`@switchyard/monitoring: ${id} is already defined in the template; rename it`);
      }
      template.Resources[id] = resource;
    }
  }
}

module.exports = SwitchyardMonitoring;
module.exports.monitoringResources = monitoringResources;
module.exports.dashboardResource = dashboardResource;
module.exports.alertTopicImport = alertTopicImport;
