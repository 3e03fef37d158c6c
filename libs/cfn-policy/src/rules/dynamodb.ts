import { isRecord, isTrue } from '../intrinsics';
import { isDevStage } from '../stages';
import type { Rule, Violation } from '../types';

/**
 * Why a table keeps its items forever, from `Metadata: { Retention: { KeptForever: <reason> } }` on
 * the table: a table without TTL must say so where the next reader of its YAML looks.
 */
function keptForeverReason(resource: Record<string, unknown>): string | undefined {
  const metadata = resource.Metadata;
  const retention = isRecord(metadata) ? metadata.Retention : undefined;
  const reason = isRecord(retention) ? retention.KeptForever : undefined;
  return typeof reason === 'string' && reason.trim().length >= 10 ? reason : undefined;
}

/** On-demand billing, encryption, point-in-time recovery, TTL (or a reason to keep items forever), and Retain outside dev-like stages. */
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
    const ttl = props.TimeToLiveSpecification;
    const hasTtl = isRecord(ttl) && typeof ttl.AttributeName === 'string' && ttl.Enabled !== false;
    if (!hasTtl && !keptForeverReason(resource)) {
      report(
        'dynamodb-retention',
        'declare TimeToLiveSpecification (AttributeName, Enabled: true), or say why the table keeps ' +
          'its items forever in Metadata.Retention.KeptForever',
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
