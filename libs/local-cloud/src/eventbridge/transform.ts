// What a target receives: the whole event, or Input, InputPath or InputTransformer applied to it.

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

export interface TargetInputConfig {
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
}

export interface TransformContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

export class InputPathError extends Error {
  constructor(path: string, reason: string) {
    super(`JSONPath ${path} is not supported: ${reason}`);
    this.name = 'InputPathError';
  }
}

/**
 * Parses the JSONPath subset EventBridge targets use: `$`, `$.a.b`, `$.a[0]`, `$['a-b']`, `$.a.*` is not
 * supported (EventBridge allows only definite paths in InputPath and InputPathsMap).
 */
export function parsePath(path: string): (string | number)[] {
  if (!path.startsWith('$')) throw new InputPathError(path, 'must start with $');
  const segments: (string | number)[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    let match: RegExpExecArray | null;
    if ((match = /^\.([^.[\]]+)/.exec(rest))) {
      if (match[1] === '*') throw new InputPathError(path, 'wildcards are not definite paths');
      segments.push(match[1] ?? '');
    } else if ((match = /^\[(\d+)\]/.exec(rest))) {
      segments.push(Number(match[1]));
    } else if (
      (match = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest)) ||
      (match = /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest))
    ) {
      segments.push((match[1] ?? '').replace(/\\(.)/g, '$1'));
    } else {
      throw new InputPathError(path, `unexpected "${rest}"`);
    }
    rest = rest.slice(match[0].length);
  }
  return segments;
}

/** Value at a definite JSONPath, or undefined when any step is missing. */
export function selectPath(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of parsePath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** Validates a target's input settings the way PutTargets does; returns an error message or undefined. */
export function validateTargetInput(config: TargetInputConfig): string | undefined {
  const set = [config.Input, config.InputPath, config.InputTransformer].filter((v) => v !== undefined);
  if (set.length > 1) return 'Only one of Input, InputPath, or InputTransformer can be specified.';
  try {
    if (config.Input !== undefined) JSON.parse(config.Input);
  } catch {
    return 'Input must be valid JSON.';
  }
  try {
    if (config.InputPath !== undefined) parsePath(config.InputPath);
    for (const path of Object.values(config.InputTransformer?.InputPathsMap ?? {})) parsePath(path);
  } catch (error) {
    return (error as Error).message;
  }
  if (config.InputTransformer && typeof config.InputTransformer.InputTemplate !== 'string') {
    return 'InputTransformer.InputTemplate is required.';
  }
  return undefined;
}

/** The text a target receives (SQS message body, SNS message, Lambda payload before JSON parsing). */
export function renderTargetInput(
  config: TargetInputConfig,
  event: object,
  context: TransformContext,
): string {
  if (config.Input !== undefined) return config.Input;
  if (config.InputPath !== undefined) return JSON.stringify(selectPath(event, config.InputPath) ?? null);
  if (config.InputTransformer) return applyInputTransformer(config.InputTransformer, event, context);
  return JSON.stringify(event);
}

/**
 * Fills `<name>` placeholders of InputTemplate. As in EventBridge, a placeholder inside a JSON string
 * gets the raw text of the value, one outside gets the value as JSON (missing values become null).
 */
export function applyInputTransformer(
  transformer: InputTransformer,
  event: object,
  context: TransformContext,
): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    values.set(name, selectPath(event, path));
  }
  values.set('aws.events.rule-arn', context.ruleArn);
  values.set('aws.events.rule-name', context.ruleName);
  values.set('aws.events.event.ingestion-time', context.ingestionTime);
  values.set('aws.events.event', event);
  values.set('aws.events.event.json', event);

  const template = transformer.InputTemplate;
  let output = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] ?? '';
    if (char === '\\' && inString) {
      output += char + (template[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (char === '"') inString = !inString;
    if (char === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (name && values.has(name)) {
        const value = values.get(name);
        output += inString ? rawText(value) : JSON.stringify(value ?? null);
        i = end;
        continue;
      }
    }
    output += char;
  }
  return output;
}

/** A value's text inside a JSON string: strings unquoted, other values as JSON, escaped to stay valid. */
function rawText(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text).slice(1, -1);
}
