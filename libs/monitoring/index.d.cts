// Types of index.cjs for the TypeScript tests.
type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }
>;

declare class SwitchyardMonitoring {
  constructor(serverless: unknown);
  addMonitoring(): void;
}
declare namespace SwitchyardMonitoring {
  function monitoringResources(
    template: { Resources: Resources },
    options: {
      service: string;
      stage: string;
      actions?: unknown[];
      settings?: { durationShareOfTimeout?: number; iteratorAgeMs?: number };
    },
  ): Resources;
  function dashboardResource(options: {
    stage: string;
    services: string[];
    apiLogicalId: string;
  }): Resources[string];
  function alertTopicImport(stage: string): { 'Fn::ImportValue': string };
}
export = SwitchyardMonitoring;
