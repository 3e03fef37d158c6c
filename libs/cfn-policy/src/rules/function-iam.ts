import { asArray, isRecord, literalText, references } from '../intrinsics';
import type { CloudFormationTemplate, Rule, Violation } from '../types';
import { UNSCOPABLE_ACTIONS } from './iam';

const RULE = 'iam-function-least-privilege';

type Resources = CloudFormationTemplate['Resources'];

/** The logical ids a value references that are resources of this template (not AWS:: pseudo parameters). */
function resourceIds(value: unknown, resources: Resources): string[] {
  return references(value)
    .map((ref) => ref.id)
    .filter((id) => id in resources);
}

/** Every Fn::ImportValue in a value, as comparable text. */
function imports(value: unknown): string[] {
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isRecord(node)) return;
    if ('Fn::ImportValue' in node) found.push(JSON.stringify(node['Fn::ImportValue']));
    Object.values(node).forEach(visit);
  };
  visit(value);
  return found;
}

/** What a function is declared to touch: its environment, its event sources and its destinations. */
interface Declared {
  ids: Set<string>;
  imports: Set<string>;
  texts: string[];
}

function declaredBy(functionId: string, resources: Resources): Declared {
  const props = resources[functionId]!.Properties ?? {};
  const environment = isRecord(props.Environment) ? props.Environment.Variables : undefined;
  const wired: unknown[] = [environment];
  for (const resource of Object.values(resources)) {
    const p = resource.Properties ?? {};
    const isMapping = resource.Type === 'AWS::Lambda::EventSourceMapping';
    const isInvokeConfig = resource.Type === 'AWS::Lambda::EventInvokeConfig';
    if (!isMapping && !isInvokeConfig) continue;
    if (!resourceIds(p.FunctionName, resources).includes(functionId)) continue;
    wired.push(p.EventSourceArn, p.DestinationConfig);
  }
  const texts = isRecord(environment)
    ? Object.values(environment).flatMap((value) => literalText(value) ?? [])
    : [];
  return {
    ids: new Set([functionId, ...resourceIds(wired, resources)]),
    imports: new Set(imports(wired)),
    texts,
  };
}

/**
 * The name a literal ARN grants on, without its type and trailing wildcard:
 * `arn:aws:events:r:a:event-bus/switchyard-prod-bus` → `switchyard-prod-bus`,
 * `arn:aws:s3:::bucket/*` → `bucket`, `...:secret:switchyard/prod/x-*` → `switchyard/prod/x`.
 */
function grantedName(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return undefined;
  let name = parts.slice(5).join(':');
  if (parts[2] === 's3') name = name.split('/')[0]!;
  else name = name.replace(/^[A-Za-z][\w-]*[/:]/, '');
  return name.split('*')[0]!.replace(/[-/:]+$/, '');
}

function describe(resource: unknown): string {
  return literalText(resource) ?? JSON.stringify(resource);
}

/** Why a statement's resource is not one the function is declared to touch, or undefined when it is. */
function undeclared(
  resource: unknown,
  declared: Declared,
  functionName: string | undefined,
  resources: Resources,
): string | undefined {
  const ids = resourceIds(resource, resources);
  if (ids.length > 0) {
    const missing = ids.filter((id) => !declared.ids.has(id));
    return missing.length > 0 ? missing.join(', ') : undefined;
  }
  const imported = imports(resource);
  if (imported.length > 0) {
    return imported.every((value) => declared.imports.has(value)) ? undefined : describe(resource);
  }
  // Pseudo parameters are kept as written on both sides, so `${AWS::AccountId}` matches itself;
  // their colons are hidden (as U+E000) while the ARN is split.
  const text = literalText(resource);
  if (text === undefined) return undefined;
  const hidden = text.replace(/\$\{[^}]*\}/g, (m) => m.replace(/:/g, '\uE000'));
  if (hidden.split(':')[2] === 'logs') {
    if (functionName === undefined) return undefined;
    return text.includes(`:log-group:/aws/lambda/${functionName}:`)
      ? undefined
      : `${text} (not its own log group)`;
  }
  const name = grantedName(hidden)?.replace(/\uE000/g, ':');
  if (name === undefined) return undefined;
  if (name === '') return `${text} (names no particular resource)`;
  return declared.texts.some((value) => value.includes(name)) ? undefined : text;
}

/** The Allow statements of a role: inline, attached IAM::Policy resources, and managed policies of this template. */
function roleStatements(
  roleId: string,
  resources: Resources,
): { where: string; statement: Record<string, unknown> }[] {
  const documents: { where: string; document: unknown }[] = [];
  const role = resources[roleId]!.Properties ?? {};
  asArray(role.Policies).forEach((policy, index) => {
    if (isRecord(policy))
      documents.push({ where: `${roleId}.Policies[${index}]`, document: policy.PolicyDocument });
  });
  for (const managed of resourceIds(role.ManagedPolicyArns, resources)) {
    documents.push({ where: managed, document: resources[managed]!.Properties?.PolicyDocument });
  }
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    if (!resourceIds(resource.Properties?.Roles, resources).includes(roleId)) continue;
    documents.push({ where: id, document: resource.Properties?.PolicyDocument });
  }
  return documents.flatMap(({ where, document }) =>
    isRecord(document)
      ? asArray(document.Statement).flatMap((statement, index) =>
          isRecord(statement) && statement.Effect === 'Allow'
            ? [{ where: `${where}.Statement[${index}]`, statement }]
            : [],
        )
      : [],
  );
}

function isOnlyUnscopable(actions: unknown): boolean {
  const list = asArray(actions);
  return (
    list.length > 0 && list.every((a) => typeof a === 'string' && UNSCOPABLE_ACTIONS.has(a.toLowerCase()))
  );
}

/**
 * Every function has a role of its own, and that role grants only on resources the function is
 * declared to touch: named by its environment variables, read through its event source mappings,
 * or the destinations it is wired to. Its own log group and actions that take no resource pass.
 */
export const functionIamRules: Rule = (template) => {
  const resources = template.Resources;
  const violations: Violation[] = [];
  const functionsByRole = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const roleId = resourceIds(resource.Properties?.Role, resources).find(
      (ref) => resources[ref]!.Type === 'AWS::IAM::Role',
    );
    if (roleId === undefined) continue;
    functionsByRole.set(roleId, [...(functionsByRole.get(roleId) ?? []), id]);
  }
  for (const [roleId, functions] of functionsByRole) {
    if (functions.length > 1) {
      for (const id of functions) {
        violations.push({
          rule: RULE,
          resource: id,
          message: `shares role ${roleId} with ${functions.filter((f) => f !== id).join(', ')}; give each function its own role (iamStatements, libs/function-roles)`,
        });
      }
    }
    for (const functionId of functions) {
      const declared = declaredBy(functionId, resources);
      const functionName = literalText(resources[functionId]!.Properties?.FunctionName);
      for (const { where, statement } of roleStatements(roleId, resources)) {
        if (isOnlyUnscopable(statement.Action)) continue;
        for (const resource of asArray(statement.Resource)) {
          if (literalText(resource)?.trim() === '*') continue; // iam-wildcard-resource's to judge
          const problem = undeclared(resource, declared, functionName, resources);
          if (problem === undefined) continue;
          violations.push({
            rule: RULE,
            resource: functionId,
            message: `${where} grants ${asArray(statement.Action).map(String).join(', ')} on ${problem}, which the function's environment, event sources and destinations never name`,
          });
        }
      }
    }
  }
  return violations;
};
