import { isRecord } from '../intrinsics';
import type { Rule, Violation } from '../types';

/**
 * Variables Lambda sets itself and refuses in a function's configuration (deploys fail with them);
 * from "Defined runtime environment variables" in the Lambda developer guide. The one list: the
 * local cloud's Lambda API refuses the same names in UpdateFunctionConfiguration.
 */
export const RESERVED_ENVIRONMENT_VARIABLES: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

export const REQUIRED_RUNTIME = 'nodejs22.x';
export const REQUIRED_ARCHITECTURE = 'arm64';

export const lambdaRules: Rule = (template) => {
  const violations: Violation[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties ?? {};
    const report = (rule: string, message: string) => violations.push({ rule, resource: id, message });
    if (props.Runtime !== REQUIRED_RUNTIME) {
      report('lambda-runtime', `Runtime is ${String(props.Runtime ?? 'unset')}, not ${REQUIRED_RUNTIME}`);
    }
    const architectures = props.Architectures;
    if (
      !Array.isArray(architectures) ||
      architectures.length !== 1 ||
      architectures[0] !== REQUIRED_ARCHITECTURE
    ) {
      report(
        'lambda-architecture',
        `Architectures is ${JSON.stringify(architectures ?? 'unset (x86_64)')}, not ["${REQUIRED_ARCHITECTURE}"]`,
      );
    }
    const environment = props.Environment;
    const variables = isRecord(environment) && isRecord(environment.Variables) ? environment.Variables : {};
    for (const name of Object.keys(variables)) {
      if (RESERVED_ENVIRONMENT_VARIABLES.has(name)) {
        report(
          'lambda-reserved-environment',
          `Environment variable ${name} is reserved by Lambda and cannot be set`,
        );
      }
    }
  }
  return violations;
};
