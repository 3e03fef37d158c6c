// Types of index.cjs for the TypeScript tests.
type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }
>;

declare class SwitchyardFunctionRoles {
  constructor(serverless: unknown);
  addRoles(): void;
}
declare namespace SwitchyardFunctionRoles {
  function addFunctionRoles(
    template: { Resources: Resources; Outputs?: Record<string, unknown> },
    options: {
      functions: Record<string, { name: string; statements?: unknown[]; tracing?: boolean }>;
      defaultRoleId: string;
      policyName: (functionName: string) => string;
    },
  ): { Resources: Resources };
  function baseStatements(options: { logGroupName: string; tracing?: boolean }): unknown[];
}
export = SwitchyardFunctionRoles;
