import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isIntrinsic, isRecord } from './intrinsics';
import type { CloudFormationTemplate, Violation } from './types';

// The CloudFormation resource specification as the AWS CDK ships it (@aws-cdk/aws-service-spec's
// db.json.gz, regenerated from the CloudFormation registry schemas and released often). We read the
// JSON directly: its loader adds a database library we do not need.

type SpecType =
  | { type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'tag' | 'null' }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'union'; types: SpecType[] }
  | { type: 'ref'; reference: { $ref: string } };

interface SpecProperty {
  type: SpecType;
  required?: boolean;
  previousTypes?: SpecType[];
}

interface SpecShape {
  properties: Record<string, SpecProperty>;
}

export interface ResourceSpec {
  resources: Map<string, SpecShape>;
  types: Map<string, SpecShape & { name?: string }>;
}

let cached: ResourceSpec | undefined;

/** Loads the resource spec once per process (about 0.3 s). */
export function loadResourceSpec(): ResourceSpec {
  if (cached) return cached;
  const root = dirname(require.resolve('@aws-cdk/aws-service-spec/package.json'));
  const db = JSON.parse(gunzipSync(readFileSync(join(root, 'db.json.gz'))).toString('utf8')) as {
    schema: Record<
      string,
      { entities: (SpecShape & { $id: string; cloudFormationType?: string; name?: string })[] }
    >;
  };
  const resources = new Map<string, SpecShape>();
  for (const entity of db.schema.resource?.entities ?? []) {
    if (entity.cloudFormationType) resources.set(entity.cloudFormationType, entity);
  }
  const types = new Map<string, SpecShape & { name?: string }>();
  for (const entity of db.schema.typeDefinition?.entities ?? []) types.set(entity.$id, entity);
  cached = { resources, types };
  return cached;
}

const isNumeric = (value: unknown) =>
  typeof value === 'number' ||
  (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)));

/** Problems of one value against one type, as [path, message]; empty when it fits. */
function checkValue(spec: ResourceSpec, type: SpecType, value: unknown, path: string): [string, string][] {
  // Intrinsics resolve at deploy time; only their result could be checked.
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'json':
      return [];
    case 'null':
      return value === null ? [] : [[path, 'must be null']];
    // CloudFormation turns numbers and booleans into strings where a string is expected.
    case 'string':
    case 'date-time':
      return ['string', 'number', 'boolean'].includes(typeof value) ? [] : [[path, 'must be a string']];
    case 'number':
    case 'integer':
      return isNumeric(value) ? [] : [[path, `must be a ${type.type}`]];
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false'
        ? []
        : [[path, 'must be a boolean']];
    case 'tag':
      return isRecord(value) && 'Key' in value && 'Value' in value
        ? []
        : [[path, 'must be a { Key, Value } tag']];
    case 'array':
      if (!Array.isArray(value)) return [[path, 'must be a list']];
      return value.flatMap((item, index) => checkValue(spec, type.element, item, `${path}[${index}]`));
    case 'map':
      if (!isRecord(value)) return [[path, 'must be a map']];
      return Object.entries(value).flatMap(([key, item]) =>
        checkValue(spec, type.element, item, `${path}.${key}`),
      );
    case 'union': {
      const attempts = type.types.map((option) => checkValue(spec, option, value, path));
      return attempts.some((problems) => problems.length === 0) ? [] : (attempts[0] ?? []);
    }
    case 'ref': {
      const shape = spec.types.get(type.reference.$ref);
      if (!shape) return [];
      if (!isRecord(value)) return [[path, `must be an object (${shape.name ?? 'structure'})`]];
      return checkShape(spec, shape, value, path);
    }
  }
}

function checkProperty(spec: ResourceSpec, property: SpecProperty, value: unknown, path: string) {
  const problems = checkValue(spec, property.type, value, path);
  // A value valid under a type the property used to have is still accepted by CloudFormation.
  if (
    problems.length > 0 &&
    property.previousTypes?.some((old) => checkValue(spec, old, value, path).length === 0)
  ) {
    return [];
  }
  return problems;
}

function checkShape(spec: ResourceSpec, shape: SpecShape, value: Record<string, unknown>, path: string) {
  const problems: [string, string][] = [];
  for (const [key, item] of Object.entries(value)) {
    const property = shape.properties[key];
    if (!property) problems.push([`${path}.${key}`, 'is not a known property']);
    else problems.push(...checkProperty(spec, property, item, `${path}.${key}`));
  }
  for (const [key, property] of Object.entries(shape.properties)) {
    if (property.required && !(key in value)) problems.push([`${path}.${key}`, 'is required']);
  }
  return problems;
}

/**
 * Property names known, required properties present, and primitive types right, for every AWS::*
 * resource; what `cloudformation validate-template` does not check and a deploy would reject.
 */
export function validateSchemas(
  template: CloudFormationTemplate,
  spec: ResourceSpec = loadResourceSpec(),
): Violation[] {
  const violations: Violation[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    // Custom resources and third-party types carry properties of their own.
    if (!resource.Type.startsWith('AWS::')) continue;
    const shape = spec.resources.get(resource.Type);
    if (!shape) {
      violations.push({
        rule: 'schema-type',
        resource: id,
        message: `${resource.Type} is not a CloudFormation resource type`,
      });
      continue;
    }
    const properties = resource.Properties ?? {};
    if (!isRecord(properties)) {
      violations.push({ rule: 'schema-property', resource: id, message: 'Properties must be an object' });
      continue;
    }
    for (const [path, problem] of checkShape(spec, shape, properties, 'Properties')) {
      violations.push({
        rule: 'schema-property',
        resource: id,
        message: `${path} ${problem} (${resource.Type})`,
      });
    }
  }
  return violations;
}
