// Types of event-patterns.cjs, for TypeScript callers (its tests and the policy check of services' YAML).

export interface EventPattern {
  source: string[];
  'detail-type': string[];
  detail?: { version: number[] };
}

/** `pinned[names]` / `anyVersion[names]`: names joined by `+`, as serverless.yml writes them after `:`. */
export const pinned: Readonly<Record<string, EventPattern>>;
export const anyVersion: Readonly<Record<string, EventPattern>>;

/** The pattern for `names` (`ApiKeyCreated+ApiKeyRevoked`); throws for an unknown or unsafe combination. */
export function eventPattern(names: string, options: { pinVersion: boolean }): EventPattern;
