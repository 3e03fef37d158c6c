import type { z } from 'zod';

/** Thrown when the environment does not satisfy a config schema. Lists names, never values. */
export class ConfigError extends Error {
  readonly missing: string[];
  readonly invalid: { name: string; message: string }[];

  constructor(missing: string[], invalid: { name: string; message: string }[]) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing: ${missing.join(', ')}`);
    if (invalid.length > 0)
      parts.push(`invalid: ${invalid.map((i) => `${i.name} (${i.message})`).join(', ')}`);
    super(`Invalid configuration: ${parts.join('; ')}`);
    this.name = 'ConfigError';
    this.missing = missing;
    this.invalid = invalid;
  }
}

type Env = Record<string, string | undefined>;

export interface ConfigLoader<T> {
  /** The validated config, read from process.env on first call and memoised. */
  (): T;
  /** Validates the given env without touching the cache: pure, for tests and tools. */
  load(env: Env): T;
  /** Drops the memoised value so the next call re-reads process.env. */
  reset(): void;
}

const loaders = new Set<ConfigLoader<unknown>>();

/**
 * Declares a function's configuration as a zod object over environment variable names.
 * Empty strings count as unset, because templates often render an absent variable as ''.
 * Only the schema's own keys are read, so the rest of the environment never reaches zod.
 */
export function defineConfig<S extends z.ZodObject>(schema: S): ConfigLoader<z.output<S>> {
  const names = Object.keys(schema.shape);

  const load = (env: Env): z.output<S> => {
    const input: Env = {};
    for (const name of names) {
      const value = env[name];
      if (value !== undefined && value !== '') input[name] = value;
    }
    const result = schema.safeParse(input);
    if (result.success) return result.data;

    const missing = new Set<string>();
    const invalid = new Map<string, string>();
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '(config)');
      if (input[name] === undefined && names.includes(name)) missing.add(name);
      else if (!invalid.has(name)) invalid.set(name, issue.message);
    }
    throw new ConfigError(
      [...missing].sort(),
      [...invalid].map(([name, message]) => ({ name, message })).sort((a, b) => a.name.localeCompare(b.name)),
    );
  };

  let cached: { value: z.output<S> } | undefined;
  const loader = (() => {
    cached ??= { value: load(process.env) };
    return cached.value;
  }) as ConfigLoader<z.output<S>>;
  loader.load = load;
  loader.reset = () => {
    cached = undefined;
  };
  loaders.add(loader as ConfigLoader<unknown>);
  return loader;
}

/** Forgets every memoised config, for tests that change process.env between cases. */
export function resetConfigForTests(): void {
  for (const loader of loaders) loader.reset();
}
