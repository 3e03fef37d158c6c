export { checkTemplate, formatViolations, RULES } from './check';
export { COMPOSE_FILE, listComposeServices, listServiceFolders } from './compose';
export type { ComposeService } from './compose';
export { RESERVED_ENVIRONMENT_VARIABLES } from './rules/lambda';
export { UNSCOPABLE_ACTIONS } from './rules/iam';
export { loadResourceSpec, validateSchemas } from './schema';
export { isDevStage } from './stages';
export type { CheckOptions, CloudFormationTemplate, KnownMessage, Violation } from './types';
