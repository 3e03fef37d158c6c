// Types of index.cjs for the TypeScript tests.
declare class LocalPackaging {
  constructor(serverless: unknown, options?: unknown, env?: Record<string, string | undefined>);
  hooks: { initialize?: () => void };
}
declare namespace LocalPackaging {
  const TEMPLATE_ONLY_VARIABLE: string;
}
export = LocalPackaging;
