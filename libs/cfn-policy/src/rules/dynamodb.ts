import { isRecord, isTrue } from '../intrinsics';
import { isDevStage } from '../stages';
import type { Rule, Violation } from '../types';

/** On-demand billing, encryption, point-in-time recovery, and Retain outside dev-like stages. */
export const dynamoDbRules: Rule = (template, { stage }) => {
  const violations: Violation[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::DynamoDB::Table') continue;
    const props = resource.Properties ?? {};
    const report = (rule: string, message: string) => violations.push({ rule, resource: id, message });
    if (props.BillingMode !== 'PAY_PER_REQUEST') {
      report(
        'dynamodb-billing-mode',
        `BillingMode is ${String(props.BillingMode ?? 'unset (PROVISIONED)')}, not PAY_PER_REQUEST`,
      );
    }
    const sse = props.SSESpecification;
    if (!isRecord(sse) || !isTrue(sse.SSEEnabled)) {
      report('dynamodb-encryption', 'SSESpecification.SSEEnabled must be true');
    }
    const pitr = props.PointInTimeRecoverySpecification;
    if (!isRecord(pitr) || !isTrue(pitr.PointInTimeRecoveryEnabled)) {
      report(
        'dynamodb-point-in-time-recovery',
        'PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled must be true',
      );
    }
    if (!isDevStage(stage)) {
      for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
        if (resource[policy] !== 'Retain') {
          report(
            'dynamodb-retain',
            `${policy} is ${String(resource[policy] ?? 'unset (Delete)')}, not Retain, on stage ${stage}`,
          );
        }
      }
    }
  }
  return violations;
};
