import type { CloudFormationTemplate } from '../../local-cloud/src/packaging';

export type { CloudFormationTemplate };

export type Resource = CloudFormationTemplate['Resources'][string];

/** One broken rule: which rule, which logical id, and a sentence a person can act on. */
export interface Violation {
  rule: string;
  resource: string;
  message: string;
}

/** A message the contracts registry defines; `Contract` objects from @switchyard/contracts fit. */
export interface KnownMessage {
  readonly source: string;
  readonly detailType: string;
}

export interface CheckOptions {
  /** The stage the template was packaged for: decides whether stateful resources must be retained. */
  stage: string;
  /** Every (source, detail-type) the contracts define; rules on switchyard.* sources must match one. */
  contracts: readonly KnownMessage[];
  /**
   * The compose name of the service the template belongs to: only `platform` may declare the HTTP
   * API and the bus, and notify its own alert topic. Any other name, or none, is a service.
   */
  service?: string;
  /** Also validate every resource's Properties against the CloudFormation resource spec (default true). */
  schema?: boolean;
}

export type Rule = (template: CloudFormationTemplate, options: CheckOptions) => Violation[];
