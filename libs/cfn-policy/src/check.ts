import { dynamoDbRules } from './rules/dynamodb';
import { eventRules, eventRuleTargets } from './rules/events';
import { functionIamRules } from './rules/function-iam';
import { iamRules } from './rules/iam';
import { lambdaRules } from './rules/lambda';
import { monitoringRules } from './rules/monitoring';
import { platformRules } from './rules/platform';
import { sqsRules } from './rules/sqs';
import { validateSchemas } from './schema';
import type { CheckOptions, CloudFormationTemplate, Rule, Violation } from './types';

export const RULES: readonly Rule[] = [
  dynamoDbRules,
  sqsRules,
  iamRules,
  functionIamRules,
  lambdaRules,
  eventRules,
  eventRuleTargets,
  platformRules,
  monitoringRules,
];

/** Every platform rule, plus resource-schema validation unless `schema: false`, over one packaged template. */
export function checkTemplate(template: CloudFormationTemplate, options: CheckOptions): Violation[] {
  const violations = RULES.flatMap((rule) => rule(template, options));
  if (options.schema !== false) violations.push(...validateSchemas(template));
  return violations;
}

/** One violation per line, for a terminal. */
export function formatViolations(service: string, violations: readonly Violation[]): string {
  return violations.map((v) => `  ${service} ${v.resource} [${v.rule}] ${v.message}`).join('\n');
}
