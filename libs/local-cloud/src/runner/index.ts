/** The local cloud's runner: hosts functions and drives them from HTTP, SQS and DynamoDB streams. */
export { FunctionHost, findRepoRoot, resolveHandlerEntry } from './function-host';
export type { FunctionHostOptions, FunctionStats } from './function-host';
export { HttpGateway, routesFromServices } from './http-gateway';
export type {
  BuiltinHandler,
  BuiltinRequest,
  BuiltinResponse,
  GatewayRoute,
  HttpGatewayOptions,
} from './http-gateway';
export { JwtAuthorizer } from './jwt';
export type { JwksLocator, JwtAuthorizerConfig } from './jwt';
export { SqsPoller, sqsMappingsFromServices } from './sqs-poller';
export type { SqsMapping, SqsPollerOptions } from './sqs-poller';
export { StreamPoller, streamMappingsFromServices } from './stream-poller';
export type { StreamMapping, StreamPollerOptions } from './stream-poller';
export { readServiceModel } from './template';
export type { EventSourceMappingModel, FunctionModel, HttpRouteModel, ServiceModel } from './template';
