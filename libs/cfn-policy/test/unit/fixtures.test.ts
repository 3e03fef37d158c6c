import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTemplate } from '../../src';
import type { CloudFormationTemplate } from '../../src';

// The accepted fixture is real osls output (test/fixtures/sample-service packaged for prod, alarms
// added by the @switchyard/monitoring plugin); each rejected fixture is that template with exactly
// one thing broken.
const fixture = (name: string) =>
  JSON.parse(
    readFileSync(join(__dirname, '..', 'fixtures', `${name}.json`), 'utf8'),
  ) as CloudFormationTemplate;

const contracts = [{ source: 'switchyard.identity', detailType: 'TenantCreated' }];
const check = (name: string, stage = 'prod', service?: string) =>
  checkTemplate(fixture(name), { stage, contracts, service }).map(({ rule, resource }) => ({
    rule,
    resource,
  }));

describe('packaged template fixtures', () => {
  it('accepts the realistic template osls packaged from the sample service', () => {
    expect(checkTemplate(fixture('accepted-sample-service'), { stage: 'prod', contracts })).toEqual([]);
  });

  it.each([
    ['rejected-dynamodb-provisioned', 'dynamodb-billing-mode', 'ItemsTable'],
    ['rejected-dynamodb-unencrypted', 'dynamodb-encryption', 'ItemsTable'],
    ['rejected-dynamodb-no-pitr', 'dynamodb-point-in-time-recovery', 'ItemsTable'],
    ['rejected-dynamodb-deleted-with-stack', 'dynamodb-retain', 'ItemsTable'],
    ['rejected-dynamodb-no-ttl', 'dynamodb-retention', 'ItemsTable'],
    ['rejected-sqs-consumer-without-dlq', 'sqs-consumer-dlq', 'WorkQueue'],
    ['rejected-sqs-dlq-without-alarm', 'sqs-dlq-alarm', 'WorkDlq'],
    ['rejected-sqs-alarm-on-queue-url', 'sqs-dlq-alarm', 'WorkDlq'],
    ['rejected-sqs-alarm-without-action', 'sqs-dlq-alarm', 'WorkDlq'],
    ['rejected-iam-wildcard-resource', 'iam-wildcard-resource', 'CreateItemIamRole'],
    ['rejected-iam-function-undeclared-resource', 'iam-function-least-privilege', 'CreateItemLambdaFunction'],
    ['rejected-iam-function-other-bus', 'iam-function-least-privilege', 'OnItemChangedLambdaFunction'],
    ['rejected-lambda-runtime', 'lambda-runtime', 'CreateItemLambdaFunction'],
    ['rejected-lambda-architecture', 'lambda-architecture', 'ProcessWorkLambdaFunction'],
    ['rejected-lambda-reserved-variable', 'lambda-reserved-environment', 'CreateItemLambdaFunction'],
    [
      'rejected-events-unknown-detail-type',
      'events-contract',
      'SwitchyardsampleprodonTenantCreatedrule1EventBridgeRule',
    ],
    ['rejected-schema-unknown-property', 'schema-property', 'WorkQueue'],
    ['rejected-schema-missing-required', 'schema-property', 'ItemsTable'],
    ['rejected-schema-wrong-type', 'schema-property', 'CreateItemLambdaFunction'],
    ['rejected-platform-own-http-api', 'platform-shared-resources', 'HttpApi'],
    ['rejected-platform-own-event-bus', 'platform-shared-resources', 'OwnEventBus'],
    ['rejected-monitoring-function-errors', 'monitoring-function-alarms', 'CreateItemLambdaFunction'],
    ['rejected-monitoring-function-throttles', 'monitoring-function-alarms', 'ProcessWorkLambdaFunction'],
    ['rejected-monitoring-function-duration', 'monitoring-function-alarms', 'OnTenantCreatedLambdaFunction'],
    ['rejected-monitoring-table-throttles', 'monitoring-table-alarms', 'ItemsTable'],
    [
      'rejected-monitoring-stream-consumer',
      'monitoring-stream-consumer-alarms',
      'OnItemChangedLambdaFunction',
    ],
    ['rejected-alarm-own-topic', 'alarm-central-topic', 'WorkDlqAlarm'],
    [
      'rejected-events-target-without-dlq',
      'events-target-dlq',
      'SwitchyardsampleprodonTenantCreatedrule1EventBridgeRule',
    ],
    [
      'rejected-events-target-without-retry',
      'events-target-retry',
      'SwitchyardsampleprodonTenantCreatedrule1EventBridgeRule',
    ],
  ])('rejects %s for exactly one reason: %s on %s', (name, rule, resource) => {
    expect(check(name)).toEqual([{ rule, resource }]);
  });

  it('lets only the platform declare the HTTP API, and never with credentials from a wildcard origin', () => {
    expect(check('rejected-platform-own-http-api', 'prod', 'platform')).toEqual([]);
    expect(check('rejected-platform-own-event-bus', 'prod', 'platform')).toEqual([]);
    expect(check('rejected-cors-credentials-wildcard', 'prod', 'platform')).toEqual([
      { rule: 'cors-credentials-wildcard', resource: 'HttpApi' },
    ]);
    expect(check('rejected-cors-credentials-wildcard', 'prod', 'ingest')).toEqual([
      { rule: 'platform-shared-resources', resource: 'HttpApi' },
      { rule: 'cors-credentials-wildcard', resource: 'HttpApi' },
    ]);
  });

  it("rejects two functions sharing a role, and a role granting on another function's log group", () => {
    expect(check('rejected-iam-function-shared-role')).toEqual([
      { rule: 'iam-function-least-privilege', resource: 'CreateItemLambdaFunction' },
      { rule: 'iam-function-least-privilege', resource: 'ProcessWorkLambdaFunction' },
      { rule: 'iam-function-least-privilege', resource: 'ProcessWorkLambdaFunction' },
      { rule: 'iam-function-least-privilege', resource: 'ProcessWorkLambdaFunction' },
    ]);
    const messages = checkTemplate(fixture('rejected-iam-function-shared-role'), {
      stage: 'prod',
      contracts,
    }).map((v) => v.message);
    expect(messages[0]).toMatch(/^shares role CreateItemIamRole with ProcessWorkLambdaFunction/);
    expect(messages.slice(2).join('\n')).toMatch(/not its own log group/);
  });

  it('accepts a table without TTL only when it says why it keeps its items forever', () => {
    expect(check('accepted-dynamodb-kept-forever')).toEqual([]);
  });

  it('names the offending property in schema violations', () => {
    const [violation] = checkTemplate(fixture('rejected-schema-unknown-property'), {
      stage: 'prod',
      contracts,
    });
    expect(violation?.message).toBe('Properties.VisibilityTimout is not a known property (AWS::SQS::Queue)');
  });

  it.each(['local', 'dev', 'test', 'pr-42'])(
    'lets a table be deleted with the stack on dev-like stage %s',
    (stage) => {
      expect(check('rejected-dynamodb-deleted-with-stack', stage)).toEqual([]);
    },
  );

  it('checks retention on any stage that is not dev-like', () => {
    expect(check('rejected-dynamodb-deleted-with-stack', 'staging')).toEqual([
      { rule: 'dynamodb-retain', resource: 'ItemsTable' },
    ]);
  });
});
