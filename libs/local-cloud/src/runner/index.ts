/**
 * The local cloud's runner: hosts functions (host/) and drives them from HTTP (gateway/), SQS and
 * DynamoDB streams (event-sources/), all read from the packaged templates (template.ts).
 */
export { FunctionHost } from './host/function-host';
export type { FunctionHostOptions, FunctionStats } from './host/function-host';
export { resolveHandlerEntry } from './host/bundler';
export type { FunctionGroupStats } from './host/worker-pool';
export {
  apisFromServices,
  HttpGateway,
  routesFromServices,
  streamingUrlRoutesFromServices,
} from './gateway/http-gateway';
export type {
  BuiltinHandler,
  BuiltinRequest,
  BuiltinResponse,
  GatewayRoute,
  HttpApiModel,
  HttpGatewayOptions,
} from './gateway/http-gateway';
export type { CorsConfiguration } from './gateway/cors';
export { JwtAuthorizer } from './gateway/jwt';
export type { JwksLocator, JwtAuthorizerConfig } from './gateway/jwt';
export { SqsPoller, sqsMappingsFromServices } from './event-sources/sqs-poller';
export type { SqsMapping, SqsPollerOptions } from './event-sources/sqs-poller';
export { StreamPoller, streamMappingsFromServices } from './event-sources/stream-poller';
export type { StreamMapping, StreamPollerOptions } from './event-sources/stream-poller';
export { readServiceModel } from './template';
export type { EventSourceMappingModel, FunctionModel, HttpRouteModel, ServiceModel } from './template';
