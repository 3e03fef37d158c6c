// Resolves CloudFormation intrinsic functions of each service's template against what was provisioned.
import type { CloudFormationTemplate } from '../packaging';
import type { ProvisionedResource, ResourceRegistry } from '../types';

export class IntrinsicError extends Error {
  constructor(service: string, message: string) {
    super(`${service}: ${message}`);
    this.name = 'IntrinsicError';
  }
}

/** Marks a property CloudFormation drops (Ref AWS::NoValue). */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface StackContext {
  stackName: string;
  template: CloudFormationTemplate;
}

export interface RegistryContext {
  region: string;
  accountId: string;
}

export class Registry implements ResourceRegistry {
  private readonly resources = new Map<string, Map<string, ProvisionedResource>>();
  private readonly stacks = new Map<string, StackContext>();

  constructor(readonly context: RegistryContext) {}

  addStack(service: string, stack: StackContext): void {
    this.stacks.set(service, stack);
    if (!this.resources.has(service)) this.resources.set(service, new Map());
  }

  stack(service: string): StackContext | undefined {
    return this.stacks.get(service);
  }

  services(): string[] {
    return [...this.stacks.keys()];
  }

  set(service: string, resource: ProvisionedResource): void {
    let byId = this.resources.get(service);
    if (!byId) this.resources.set(service, (byId = new Map()));
    byId.set(resource.logicalId, resource);
  }

  get(service: string, logicalId: string): ProvisionedResource | undefined {
    return this.resources.get(service)?.get(logicalId);
  }

  /** Every provisioned resource of a service (or all), e.g. for the runner to find functions. */
  list(service?: string): (ProvisionedResource & { service: string })[] {
    const out: (ProvisionedResource & { service: string })[] = [];
    for (const [name, byId] of this.resources) {
      if (service !== undefined && name !== service) continue;
      for (const resource of byId.values()) out.push({ ...resource, service: name });
    }
    return out;
  }

  resolve(service: string, value: unknown): unknown {
    const resolved = this.resolveValue(service, value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** Like resolve, but insists on a string (names, ARNs). */
  resolveString(service: string, value: unknown, what: string): string {
    const resolved = this.resolve(service, value);
    if (typeof resolved !== 'string') {
      throw new IntrinsicError(service, `${what} must resolve to a string, got ${JSON.stringify(resolved)}`);
    }
    return resolved;
  }

  private resolveValue(service: string, value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolveValue(service, item)).filter((item) => item !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0] as [string, unknown];
      if (key === 'Ref') return this.ref(service, this.resolveValue(service, arg));
      if (key === 'Condition' && typeof arg === 'string') return this.condition(service, arg);
      if (key.startsWith('Fn::')) return this.fn(service, key, arg);
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.resolveValue(service, item);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private pseudo(service: string, name: string): string | typeof NO_VALUE | undefined {
    switch (name) {
      case 'AWS::Region':
        return this.context.region;
      case 'AWS::AccountId':
        return this.context.accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.stackName(service);
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.context.region}:${this.context.accountId}:stack/${this.stackName(service)}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
        return undefined;
    }
  }

  private stackName(service: string): string {
    return this.stacks.get(service)?.stackName ?? service;
  }

  private ref(service: string, name: unknown): unknown {
    if (typeof name !== 'string')
      throw new IntrinsicError(service, `Ref needs a name, got ${JSON.stringify(name)}`);
    const pseudo = this.pseudo(service, name);
    if (pseudo !== undefined) return pseudo;
    const resource = this.get(service, name);
    if (resource) return resource.ref;
    const parameter = (
      this.stacks.get(service)?.template.Parameters as Record<string, { Default?: unknown }> | undefined
    )?.[name];
    if (parameter && parameter.Default !== undefined) return parameter.Default;
    throw new IntrinsicError(
      service,
      `Ref ${name}: no such resource was provisioned (or it is not provisioned yet)`,
    );
  }

  private getAtt(service: string, logicalId: string, attribute: string): string {
    const resource = this.get(service, logicalId);
    if (!resource)
      throw new IntrinsicError(
        service,
        `Fn::GetAtt ${logicalId}.${attribute}: no such resource was provisioned`,
      );
    const value = resource.attributes[attribute];
    if (value === undefined) {
      throw new IntrinsicError(
        service,
        `Fn::GetAtt ${logicalId}.${attribute}: ${resource.type} has no attribute ${attribute} locally (known: ${Object.keys(resource.attributes).join(', ') || 'none'})`,
      );
    }
    return value;
  }

  private fn(service: string, name: string, arg: unknown): unknown {
    switch (name) {
      case 'Fn::GetAtt': {
        const parts =
          typeof arg === 'string' ? splitOnce(arg, '.') : (this.resolveValue(service, arg) as unknown[]);
        const [logicalId, attribute] = parts;
        if (typeof logicalId !== 'string' || typeof attribute !== 'string') {
          throw new IntrinsicError(
            service,
            `Fn::GetAtt needs [logicalId, attribute], got ${JSON.stringify(arg)}`,
          );
        }
        return this.getAtt(service, logicalId, attribute);
      }
      case 'Fn::Sub':
        return this.sub(service, arg);
      case 'Fn::Join': {
        const [separator, items] = this.resolveValue(service, arg) as [unknown, unknown];
        if (typeof separator !== 'string' || !Array.isArray(items)) {
          throw new IntrinsicError(
            service,
            `Fn::Join needs [separator, [values]], got ${JSON.stringify(arg)}`,
          );
        }
        return items.map((item) => String(item)).join(separator);
      }
      case 'Fn::Select': {
        const [index, items] = this.resolveValue(service, arg) as [unknown, unknown];
        const i = Number(index);
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
          throw new IntrinsicError(
            service,
            `Fn::Select index ${String(index)} is out of range for ${JSON.stringify(items)}`,
          );
        }
        return items[i];
      }
      case 'Fn::Split': {
        const [separator, text] = this.resolveValue(service, arg) as [unknown, unknown];
        if (typeof separator !== 'string' || typeof text !== 'string') {
          throw new IntrinsicError(service, `Fn::Split needs [separator, text], got ${JSON.stringify(arg)}`);
        }
        return text.split(separator);
      }
      case 'Fn::If': {
        const [conditionName, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return this.resolveValue(service, this.condition(service, conditionName) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = this.resolveValue(service, arg) as [unknown, unknown];
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return !(this.resolveValue(service, arg) as unknown[])[0];
      case 'Fn::And':
        return (this.resolveValue(service, arg) as unknown[]).every(Boolean);
      case 'Fn::Or':
        return (this.resolveValue(service, arg) as unknown[]).some(Boolean);
      case 'Fn::Base64':
        return Buffer.from(String(this.resolveValue(service, arg))).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.context.region}${zone}`);
      case 'Fn::ImportValue':
        return this.importValue(service, this.resolveValue(service, arg));
      default:
        throw new IntrinsicError(service, `${name} is not supported locally`);
    }
  }

  /**
   * An output another stack exports (`Outputs.<id>.Export.Name`), resolved in that stack, as
   * CloudFormation does. Only for values AWS makes up at deploy time (a Cognito pool's id, the
   * platform's API id); shared resources are named by convention where they can be.
   */
  private importValue(service: string, name: unknown): unknown {
    if (typeof name !== 'string')
      throw new IntrinsicError(service, `Fn::ImportValue needs a name, got ${JSON.stringify(name)}`);
    for (const [exporter, stack] of this.stacks) {
      const outputs = (stack.template.Outputs ?? {}) as Record<
        string,
        { Value?: unknown; Export?: { Name?: unknown }; Condition?: unknown }
      >;
      for (const output of Object.values(outputs)) {
        if (output.Export?.Name === undefined || !this.exists(exporter, output)) continue;
        if (this.resolveValue(exporter, output.Export.Name) === name)
          return this.resolveValue(exporter, output.Value);
      }
    }
    throw new IntrinsicError(
      service,
      `Fn::ImportValue ${name}: no running service exports it (is the exporting service left out with --service?)`,
    );
  }

  /**
   * Whether a resource or output with this `Condition` exists in the stack: CloudFormation creates
   * it only when its condition holds (no condition: always).
   */
  exists(service: string, item: { Condition?: unknown } | undefined): boolean {
    const name = item?.Condition;
    return typeof name !== 'string' || this.condition(service, name);
  }

  private condition(service: string, name: string): boolean {
    const conditions = this.stacks.get(service)?.template.Conditions as Record<string, unknown> | undefined;
    const definition = conditions?.[name];
    if (definition === undefined) throw new IntrinsicError(service, `condition ${name} is not defined`);
    return Boolean(this.resolveValue(service, definition));
  }

  private sub(service: string, arg: unknown): string {
    const [template, variables] = (Array.isArray(arg) ? arg : [arg, {}]) as [
      unknown,
      Record<string, unknown>,
    ];
    if (typeof template !== 'string')
      throw new IntrinsicError(service, `Fn::Sub needs a string, got ${JSON.stringify(arg)}`);
    const locals = this.resolveValue(service, variables ?? {}) as Record<string, unknown>;
    // ${!Literal} stays as ${Literal}.
    return template.replace(/\$\{(!?)([^}]+)\}/g, (_whole, bang: string, expression: string) => {
      if (bang) return `\${${expression}}`;
      const name = expression.trim();
      if (name in locals) return String(locals[name]);
      const pseudo = this.pseudo(service, name);
      if (pseudo !== undefined && pseudo !== NO_VALUE) return pseudo;
      const dot = name.indexOf('.');
      if (dot > 0) return this.getAtt(service, name.slice(0, dot), name.slice(dot + 1));
      return String(this.ref(service, name));
    });
  }
}

function splitOnce(text: string, separator: string): string[] {
  const i = text.indexOf(separator);
  return i < 0 ? [text] : [text.slice(0, i), text.slice(i + 1)];
}

/** Logical ids a value references (Ref, Fn::GetAtt, Fn::Sub), for ordering creation. */
export function referencedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, arg] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof arg === 'string' && !arg.startsWith('AWS::')) into.add(arg);
      else if (key === 'Fn::GetAtt') {
        const id = typeof arg === 'string' ? arg.split('.')[0] : Array.isArray(arg) ? arg[0] : undefined;
        if (typeof id === 'string') into.add(id);
      } else if (key === 'Fn::Sub') {
        const template = Array.isArray(arg) ? arg[0] : arg;
        if (typeof template === 'string') {
          for (const match of template.matchAll(/\$\{([^!}][^}.]*)(?:\.[^}]*)?\}/g)) {
            const id = (match[1] ?? '').trim();
            if (!id.startsWith('AWS::')) into.add(id);
          }
        }
        if (Array.isArray(arg)) referencedIds(arg[1], into);
      } else referencedIds(arg, into);
    }
  }
  return into;
}
