import { dashboardResource, monitoringResources } from '../../index.cjs';

const template = {
  Resources: {
    WorkLambdaFunction: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: 'svc-prod-work', Timeout: 10 },
    },
    PublishLambdaFunction: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: 'svc-prod-publish' },
    },
    ItemsTable: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'svc-prod-items' } },
    PublishEventSourceMappingDynamodbItemsTable: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['ItemsTable', 'StreamArn'] },
        FunctionName: { 'Fn::GetAtt': ['PublishLambdaFunction', 'Arn'] },
      },
    },
    WorkEventSourceMappingSQSQueue: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': ['WorkLambdaFunction', 'Arn'] },
      },
    },
    Queue: { Type: 'AWS::SQS::Queue' },
  },
};

describe('@switchyard/monitoring', () => {
  const alarms = monitoringResources(template, { service: 'svc', stage: 'prod' });

  it('adds errors, throttles and duration alarms per function, throttles per table, iterator age per stream consumer', () => {
    expect(Object.keys(alarms).sort()).toEqual([
      'ItemsTableThrottlesAlarm',
      'PublishDurationAlarm',
      'PublishErrorsAlarm',
      'PublishIteratorAgeAlarm',
      'PublishThrottlesAlarm',
      'WorkDurationAlarm',
      'WorkErrorsAlarm',
      'WorkThrottlesAlarm',
    ]);
  });

  it('notifies the central alert topic, by its import, on alarm and on recovery', () => {
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties).toMatchObject({
        AlarmActions: [{ 'Fn::ImportValue': 'switchyard-prod-alert-topic-arn' }],
        OKActions: [{ 'Fn::ImportValue': 'switchyard-prod-alert-topic-arn' }],
      });
    }
  });

  it('fires the duration alarm at 80% of the function’s timeout (6 s when it sets none)', () => {
    expect(alarms.WorkDurationAlarm?.Properties).toMatchObject({
      AlarmName: 'svc-prod-work-duration',
      MetricName: 'Duration',
      Statistic: 'Maximum',
      Threshold: 8000,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'WorkLambdaFunction' } }],
    });
    expect(alarms.PublishDurationAlarm?.Properties?.Threshold).toBe(4800);
  });

  it('sums read and write throttles of a table in one alarm', () => {
    const props = alarms.ItemsTableThrottlesAlarm?.Properties as {
      Metrics: { Id: string; Expression?: string }[];
    };
    expect(props.Metrics.map((m) => m.Id)).toEqual(['reads', 'writes', 'throttles']);
    expect(props.Metrics[2]?.Expression).toBe('FILL(reads, 0) + FILL(writes, 0)');
  });

  it('builds the stage dashboard with a row per service, over the API the platform declares', () => {
    const dashboard = dashboardResource({
      stage: 'prod',
      services: ['identity', 'ingest'],
      apiLogicalId: 'HttpApi',
    });
    expect(dashboard.Properties?.DashboardName).toBe('switchyard-prod');
    const body = JSON.parse((dashboard.Properties?.DashboardBody as { 'Fn::Sub': string })['Fn::Sub']) as {
      widgets: { type: string; properties: { markdown?: string; metrics?: unknown[] } }[];
    };
    expect(body.widgets.filter((w) => w.type === 'text').map((w) => w.properties.markdown)).toEqual([
      '## identity',
      '## ingest',
    ]);
    expect(JSON.stringify(body)).toContain('"ApiId","${HttpApi}"');
    // CloudWatch's dashboard body: each metric of a graph is an array (a metric or an expression).
    for (const widget of body.widgets.filter((w) => w.type === 'metric')) {
      expect(widget.properties.metrics?.length).toBeGreaterThan(0);
      for (const metric of widget.properties.metrics ?? []) expect(Array.isArray(metric)).toBe(true);
    }
    expect(JSON.stringify(body)).toContain('MetricName=\\"Errors\\" ingest-prod');
  });
});
