// Helpers over unresolved CloudFormation values: packaged templates keep Ref, Fn::GetAtt, Fn::Sub and
// Fn::Join as written, so "does this value point at resource X" must be answered structurally.

export type Json = unknown;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An intrinsic function or a Ref: an object with one key that is `Ref`, `Condition` or `Fn::*`. */
export function isIntrinsic(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'));
}

/** The (logical id, attribute) pairs a value references, through Ref, GetAtt, Sub and Join. */
export function references(value: Json): { id: string; attribute?: string }[] {
  const found: { id: string; attribute?: string }[] = [];
  const visit = (node: Json): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isRecord(node)) return;
    if (typeof node.Ref === 'string') found.push({ id: node.Ref });
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
      found.push({ id: getAtt[0], attribute: typeof getAtt[1] === 'string' ? getAtt[1] : undefined });
    } else if (typeof getAtt === 'string') {
      const [id, ...attribute] = getAtt.split('.');
      if (id) found.push({ id, attribute: attribute.join('.') || undefined });
    }
    const sub = node['Fn::Sub'];
    const [template, variables] = Array.isArray(sub) ? sub : [sub, undefined];
    if (typeof template === 'string') {
      const locals = isRecord(variables) ? variables : {};
      for (const match of template.matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const [id, ...attribute] = match[1]!.split('.');
        if (!id || id.startsWith('AWS::')) continue;
        if (id in locals) visit(locals[id]);
        else found.push({ id, attribute: attribute.join('.') || undefined });
      }
    }
    for (const [key, child] of Object.entries(node)) {
      if (key !== 'Fn::Sub' && key !== 'Fn::GetAtt' && key !== 'Ref') visit(child);
    }
  };
  visit(value);
  return found;
}

/** Literal text of a value: strings as they are, Fn::Sub templates and Fn::Join with literal parts. */
export function literalText(value: Json): string | undefined {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return undefined;
  const sub = value['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = join[1].map((part) => literalText(part) ?? '\u0000');
    return parts.join(join[0]);
  }
  return undefined;
}

/** Structural equality, for comparing two unresolved values (a queue's QueueName and a dimension). */
export function sameValue(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Values CloudFormation accepts as either a list or one item. */
export function asArray(value: Json): Json[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Some properties (RedrivePolicy, EventPattern) may be given as an object or as its JSON text. */
export function asObject(value: Json): Record<string, unknown> | undefined {
  if (isRecord(value)) return value;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function isTrue(value: Json): boolean {
  return value === true || value === 'true';
}
