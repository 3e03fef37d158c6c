import { asArray, asObject } from '../intrinsics';
import type { KnownMessage, Rule, Violation } from '../types';

const OWN_SOURCE = 'switchyard.';

/** A pattern with a top-level $or is several patterns; each branch inherits the other fields. */
function branches(pattern: Record<string, unknown>): Record<string, unknown>[] {
  const { $or, ...rest } = pattern;
  if (!Array.isArray($or)) return [pattern];
  return $or.flatMap((branch) => {
    const object = asObject(branch);
    return object ? branches({ ...rest, ...object }) : [];
  });
}

/**
 * A rule on a switchyard.* source may only match detail-types the contracts define, so a typo or a
 * retired message in serverless.yml fails here rather than silently never firing.
 */
export const eventRules: Rule = (template, { contracts }) => {
  const violations: Violation[] = [];
  const known = (source: string, detailType: string) =>
    contracts.some(
      (contract: KnownMessage) => contract.source === source && contract.detailType === detailType,
    );

  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    const pattern = asObject(resource.Properties?.EventPattern);
    if (!pattern) continue;
    const report = (message: string) => violations.push({ rule: 'events-contract', resource: id, message });
    for (const branch of branches(pattern)) {
      const sources = asArray(branch.source);
      const ownSources = sources.filter(
        (s): s is string => typeof s === 'string' && s.startsWith(OWN_SOURCE),
      );
      const matchers = sources.filter((s) => typeof s !== 'string');
      if (matchers.some((m) => JSON.stringify(m).includes(OWN_SOURCE))) {
        report(
          `source matcher ${JSON.stringify(matchers)} cannot be checked against contracts; list exact sources`,
        );
      }
      if (ownSources.length === 0) continue;
      for (const source of ownSources) {
        if (!contracts.some((contract) => contract.source === source)) {
          report(`source ${source} is not the source of any contract`);
        }
      }
      // With foreign sources in the same rule, a detail-type may belong to one of them.
      if (ownSources.length !== sources.length) continue;
      for (const detailType of asArray(branch['detail-type'])) {
        if (typeof detailType !== 'string') {
          report(
            `detail-type matcher ${JSON.stringify(detailType)} cannot be checked against contracts; list exact values`,
          );
        } else if (!ownSources.some((source) => known(source, detailType))) {
          report(`detail-type ${detailType} from ${ownSources.join(' or ')} is not defined by any contract`);
        }
      }
    }
  }
  return violations;
};

/**
 * Every target of a rule that carries events (an EventPattern) has a dead-letter queue and a retry
 * policy: an event EventBridge cannot deliver (target missing, throttled, refused, an input
 * transformation that fails) is then retried and kept in a DLQ that has an alarm (sqs-dlq-alarm
 * checks it), never dropped with a log line. Schedules are left alone: a missed tick is followed by
 * the next one.
 */
export const eventRuleTargets: Rule = (template) => {
  const violations: Violation[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Events::Rule' || resource.Properties?.EventPattern === undefined) continue;
    for (const target of asArray(resource.Properties?.Targets)) {
      const object = asObject(target) ?? {};
      const name = typeof object.Id === 'string' ? `target ${object.Id}` : 'a target';
      if (asObject(object.DeadLetterConfig)?.Arn === undefined) {
        violations.push({
          rule: 'events-target-dlq',
          resource: id,
          message: `${name} has no DeadLetterConfig.Arn: an event it cannot take would be lost`,
        });
      }
      if (asObject(object.RetryPolicy) === undefined) {
        violations.push({
          rule: 'events-target-retry',
          resource: id,
          message: `${name} has no RetryPolicy (MaximumRetryAttempts, MaximumEventAgeInSeconds)`,
        });
      }
    }
  }
  return violations;
};
