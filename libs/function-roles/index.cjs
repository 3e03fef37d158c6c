'use strict';
// An osls plugin every service lists (`plugins: ['@switchyard/function-roles']`). osls gives all of
// a service's functions one role; this gives each function its own, granting:
//   - what every function needs, defined here once: its own log group, and X-Ray when tracing is on;
//   - what its event source mappings need (read the queue or stream it consumes, send to the
//     mapping's on-failure destination), derived from the compiled template;
//   - the function's `iamStatements` (a list of IAM statements or lists of them; `[]` for none).
// A function without `iamStatements` (or with its own `role`) is left alone, on the default role; the
// policy check (libs/cfn-policy, rule iam-function-least-privilege) refuses a role shared by two
// functions. The default role is removed once nothing uses it. Plain CommonJS: osls require()s it.

/** Actions without resource-level permissions: "*" is their only resource (see libs/cfn-policy). */
const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

function logGroupArn(logGroupName, suffix) {
  return {
    'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroupName}${suffix}`,
  };
}

/** What every function's role grants: writing its own logs, and traces when tracing is on. */
function baseStatements({ logGroupName, tracing }) {
  const statements = [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource'],
      Resource: [logGroupArn(logGroupName, ':*')],
    },
    { Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [logGroupArn(logGroupName, ':*:*')] },
  ];
  if (tracing) statements.push({ Effect: 'Allow', Action: XRAY_ACTIONS, Resource: '*' });
  return statements;
}

function getAttOf(value) {
  const getAtt = value && value['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return { id: getAtt[0], attribute: getAtt[1] };
  if (typeof getAtt === 'string') {
    const [id, ...attribute] = getAtt.split('.');
    return { id, attribute: attribute.join('.') };
  }
  return undefined;
}

/** The logical id a Ref or GetAtt names, if any. */
function referencedId(value) {
  if (value && typeof value.Ref === 'string') return value.Ref;
  const getAtt = getAttOf(value);
  return getAtt && getAtt.id;
}

/** 'sqs', 'dynamodb', 'kinesis', 'sns' or undefined, from a resource type or a literal ARN. */
function kindOf(arn, resources) {
  const id = referencedId(arn);
  const type = id && resources[id] && resources[id].Type;
  if (type === 'AWS::SQS::Queue') return 'sqs';
  if (type === 'AWS::SNS::Topic') return 'sns';
  if (type === 'AWS::Kinesis::Stream') return 'kinesis';
  if (type === 'AWS::DynamoDB::Table') return 'dynamodb';
  const text =
    typeof arn === 'string' ? arn : arn && typeof arn['Fn::Sub'] === 'string' ? arn['Fn::Sub'] : '';
  const service = text.split(':')[2];
  return ['sqs', 'sns', 'kinesis', 'dynamodb'].includes(service) ? service : undefined;
}

const SOURCE_ACTIONS = {
  sqs: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
  dynamodb: [
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:DescribeStream',
    'dynamodb:ListStreams',
  ],
  kinesis: ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStream', 'kinesis:ListShards'],
};
const DESTINATION_ACTIONS = { sqs: ['sqs:SendMessage'], sns: ['sns:Publish'] };

/** Statements the function's event source mappings need, from the compiled template. */
function eventSourceStatements(functionId, resources) {
  const statements = [];
  for (const [id, mapping] of Object.entries(resources)) {
    if (mapping.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const props = mapping.Properties || {};
    if (referencedId(props.FunctionName) !== functionId) continue;
    const source = SOURCE_ACTIONS[kindOf(props.EventSourceArn, resources)];
    if (!source)
      throw new Error(`@switchyard/function-roles: ${id} reads a source this plugin does not know`);
    statements.push({ Effect: 'Allow', Action: source, Resource: [props.EventSourceArn] });
    const destination = props.DestinationConfig && props.DestinationConfig.OnFailure;
    if (destination && destination.Destination) {
      const actions = DESTINATION_ACTIONS[kindOf(destination.Destination, resources)];
      if (!actions)
        throw new Error(
          `@switchyard/function-roles: ${id} fails over to a destination this plugin does not know`,
        );
      statements.push({ Effect: 'Allow', Action: actions, Resource: [destination.Destination] });
    }
  }
  return statements;
}

function replaceDependency(resource, from, to) {
  if (resource.DependsOn === undefined) return;
  const list = Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
  if (!list.includes(from)) return;
  resource.DependsOn = [...new Set(list.map((d) => (d === from ? to : d)))];
}

/**
 * Gives every function that declares `iamStatements` a role of its own (pure: mutates and returns
 * the template). `functions` maps a function's logical id to { name (its FunctionName), statements,
 * tracing }; `defaultRoleId` is osls' shared role, removed when no function uses it any more.
 */
function addFunctionRoles(template, { functions, defaultRoleId, policyName }) {
  const resources = template.Resources;
  const defaultRole = resources[defaultRoleId];
  const assumeRole = (defaultRole && defaultRole.Properties.AssumeRolePolicyDocument) || {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
    ],
  };
  for (const [functionId, fn] of Object.entries(functions)) {
    const resource = resources[functionId];
    if (!resource || fn.statements === undefined) continue;
    if (!Array.isArray(fn.statements)) {
      throw new Error(`@switchyard/function-roles: ${functionId}'s iamStatements must be a list`);
    }
    const roleId = `${functionId.replace(/LambdaFunction$/, '')}IamRole`;
    if (resources[roleId])
      throw new Error(`@switchyard/function-roles: ${roleId} is already defined in the template`);
    resources[roleId] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: assumeRole,
        Path: '/',
        Policies: [
          {
            PolicyName: policyName(fn.name),
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                ...baseStatements({ logGroupName: `/aws/lambda/${fn.name}`, tracing: fn.tracing }),
                ...eventSourceStatements(functionId, resources),
                // An entry may itself be a list (a catalog entry that is empty on some stages).
                ...fn.statements.flat(),
              ],
            },
          },
        ],
      },
    };
    resource.Properties.Role = { 'Fn::GetAtt': [roleId, 'Arn'] };
    replaceDependency(resource, defaultRoleId, roleId);
    for (const mapping of Object.values(resources)) {
      if (
        mapping.Type === 'AWS::Lambda::EventSourceMapping' &&
        referencedId(mapping.Properties.FunctionName) === functionId
      ) {
        // Creating a mapping checks the role can read the source: create it after the function's role.
        replaceDependency(mapping, defaultRoleId, roleId);
      }
    }
  }
  if (defaultRole) {
    const { [defaultRoleId]: _omitted, ...rest } = resources;
    const stillUsed = JSON.stringify({ rest, outputs: template.Outputs || {} }).includes(
      `"${defaultRoleId}"`,
    );
    if (!stillUsed) delete resources[defaultRoleId];
  }
  return template;
}

class SwitchyardFunctionRoles {
  constructor(serverless) {
    this.serverless = serverless;
    if (serverless.configSchemaHandler && serverless.configSchemaHandler.defineFunctionProperties) {
      serverless.configSchemaHandler.defineFunctionProperties('aws', {
        properties: {
          iamStatements: {
            type: 'array',
            items: { anyOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] },
          },
        },
      });
    }
    this.hooks = {
      // After the service's own `resources` are merged, so queues and tables it declares are known.
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.addRoles(),
    };
  }

  addRoles() {
    const { service } = this.serverless;
    const naming = this.serverless.getProvider('aws').naming;
    const providerTracing = Boolean(service.provider.tracing && service.provider.tracing.lambda);
    const functions = {};
    for (const name of service.getAllFunctions()) {
      const fn = service.getFunction(name);
      if (fn.role) continue;
      functions[naming.getLambdaLogicalId(name)] = {
        name: fn.name,
        statements: fn.iamStatements,
        tracing: fn.tracing !== undefined ? Boolean(fn.tracing) : providerTracing,
      };
    }
    addFunctionRoles(service.provider.compiledCloudFormationTemplate, {
      functions,
      defaultRoleId: naming.getRoleLogicalId(),
      policyName: (functionName) => functionName,
    });
  }
}

module.exports = SwitchyardFunctionRoles;
module.exports.addFunctionRoles = addFunctionRoles;
module.exports.baseStatements = baseStatements;
