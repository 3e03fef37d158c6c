import { asArray, isRecord, literalText } from '../intrinsics';
import type { Rule, Violation } from '../types';

/**
 * Actions that have no resource-level permissions (their "Resource types" column in the Service
 * Authorization Reference is empty), so "*" is the only Resource they accept. Anything else, like
 * logs:CreateLogGroup (log-group), events:PutEvents (event-bus) or ses:SendEmail (identity), can and
 * must be scoped. Compared case-insensitively, as IAM does.
 */
export const UNSCOPABLE_ACTIONS: ReadonlySet<string> = new Set(
  [
    // X-Ray's write and sampling APIs (what the X-Ray SDK and Powertools tracer call).
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
    'xray:GetSamplingStatisticSummaries',
    // Scoped by the cloudwatch:namespace condition key instead of a resource.
    'cloudwatch:PutMetricData',
  ].map((action) => action.toLowerCase()),
);

/** "*" itself, or an ARN whose resource part is "*" (every resource of that service in the account). */
function isWildcardResource(value: unknown): boolean {
  const text = literalText(value);
  if (text === undefined) return false;
  if (text.trim() === '*') return true;
  // ${AWS::Region} and friends contain colons of their own.
  const parts = text.replace(/\$\{[^}]*\}/g, 'x').split(':');
  return parts[0] === 'arn' && parts.length >= 6 && parts.slice(5).join(':') === '*';
}

function policyDocuments(
  type: string,
  props: Record<string, unknown>,
): { name: string; document: unknown }[] {
  if (type === 'AWS::IAM::Role') {
    return asArray(props.Policies).flatMap((policy, index) =>
      isRecord(policy) ? [{ name: `Policies[${index}]`, document: policy.PolicyDocument }] : [],
    );
  }
  if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy') {
    return [{ name: 'PolicyDocument', document: props.PolicyDocument }];
  }
  return [];
}

/** No Allow statement grants on every resource, unless every action in it cannot be scoped. */
export const iamRules: Rule = (template) => {
  const violations: Violation[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    for (const { name, document } of policyDocuments(resource.Type, resource.Properties ?? {})) {
      if (!isRecord(document)) continue;
      asArray(document.Statement).forEach((statement, index) => {
        if (!isRecord(statement) || statement.Effect !== 'Allow') return;
        const where = `${name}.Statement[${index}]`;
        if (statement.NotResource !== undefined) {
          violations.push({
            rule: 'iam-wildcard-resource',
            resource: id,
            message: `${where} allows NotResource, which grants every other resource; list the resources`,
          });
          return;
        }
        if (!asArray(statement.Resource).some(isWildcardResource)) return;
        if (statement.NotAction !== undefined) {
          violations.push({
            rule: 'iam-wildcard-resource',
            resource: id,
            message: `${where} allows NotAction on Resource "*"`,
          });
          return;
        }
        const scopable = asArray(statement.Action).filter(
          (action) => typeof action !== 'string' || !UNSCOPABLE_ACTIONS.has(action.toLowerCase()),
        );
        if (scopable.length > 0) {
          violations.push({
            rule: 'iam-wildcard-resource',
            resource: id,
            message: `${where} allows ${scopable.map(String).join(', ')} on Resource "*"; scope it to the resources it touches`,
          });
        }
      });
    }
  }
  return violations;
};
