import { Registry } from '../../../src/provision/registry';
import { apisFromServices, routesFromServices } from '../../../src/runner/gateway/http-gateway';
import type { PackagedService } from '../../../src/types';

// Three stacks as the services package them: the platform declares the API (with CORS) and exports
// its id; identity declares a JWT authorizer on it and exports the authorizer's id; another service
// attaches a route to the imported API with the imported authorizer.
const platform: PackagedService = {
  name: 'platform',
  dir: '/repo/services/platform',
  stage: 'local',
  template: {
    Resources: {
      HttpApi: {
        Type: 'AWS::ApiGatewayV2::Api',
        Properties: { CorsConfiguration: { AllowOrigins: ['http://*'], AllowMethods: ['GET'] } },
      },
    },
    Outputs: { HttpApiId: { Value: { Ref: 'HttpApi' }, Export: { Name: 'switchyard-local-http-api-id' } } },
  },
};
const identity: PackagedService = {
  name: 'identity',
  dir: '/repo/services/identity',
  stage: 'local',
  template: {
    Resources: {
      PeopleAuthorizer: {
        Type: 'AWS::ApiGatewayV2::Authorizer',
        Properties: {
          ApiId: { 'Fn::ImportValue': 'switchyard-local-http-api-id' },
          AuthorizerType: 'JWT',
          IdentitySource: ['$request.header.Authorization'],
          JwtConfiguration: { Issuer: 'https://auth.switchyard.local/local', Audience: ['switchyard-local'] },
        },
      },
    },
    Outputs: {
      PeopleAuthorizerId: {
        Value: { Ref: 'PeopleAuthorizer' },
        Export: { Name: 'switchyard-local-people-authorizer-id' },
      },
    },
  },
};
const agent: PackagedService = {
  name: 'agent',
  dir: '/repo/services/agent',
  stage: 'local',
  template: {
    Resources: {
      AskLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: 'agent-local-ask', Handler: 'src/handlers/ask.handler' },
      },
      HttpApiIntegrationAsk: {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: { IntegrationUri: { 'Fn::GetAtt': ['AskLambdaFunction', 'Arn'] } },
      },
      HttpApiRouteGetAsk: {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: {
          ApiId: { 'Fn::ImportValue': 'switchyard-local-http-api-id' },
          RouteKey: 'GET /ask',
          Target: { 'Fn::Join': ['/', ['integrations', { Ref: 'HttpApiIntegrationAsk' }]] },
          AuthorizationType: 'JWT',
          AuthorizerId: { 'Fn::ImportValue': 'switchyard-local-people-authorizer-id' },
        },
      },
    },
  },
};

function registryOf(services: PackagedService[]): Registry {
  const registry = new Registry({ region: 'us-east-1', accountId: '000000000000' });
  for (const service of services)
    registry.addStack(service.name, { stackName: `${service.name}-local`, template: service.template });
  const placeholder = (service: string, logicalId: string, type: string) =>
    registry.set(service, { logicalId, type, ref: `${service}-local-${logicalId}`, attributes: {} });
  placeholder('platform', 'HttpApi', 'AWS::ApiGatewayV2::Api');
  placeholder('identity', 'PeopleAuthorizer', 'AWS::ApiGatewayV2::Authorizer');
  registry.set('agent', {
    logicalId: 'AskLambdaFunction',
    type: 'AWS::Lambda::Function',
    ref: 'agent-local-ask',
    attributes: {},
  });
  return registry;
}

describe('routes attached to another stack’s API', () => {
  it('use the authorizer another stack exports, and the CORS settings of the API they attach to', () => {
    const services = [platform, identity, agent];
    const registry = registryOf(services);
    expect(apisFromServices(services, registry)).toEqual([
      {
        apiId: 'platform-local-HttpApi',
        service: 'platform',
        logicalId: 'HttpApi',
        cors: { AllowOrigins: ['http://*'], AllowMethods: ['GET'] },
      },
    ]);
    const [route] = routesFromServices(services, registry);
    expect(route).toMatchObject({
      service: 'agent',
      routeKey: 'GET /ask',
      functionName: 'agent-local-ask',
      authorizer: {
        issuer: 'https://auth.switchyard.local/local',
        audience: ['switchyard-local'],
        identitySource: ['$request.header.Authorization'],
      },
      cors: { AllowOrigins: ['http://*'], AllowMethods: ['GET'] },
    });
  });

  it('refuses a JWT route whose authorizer no running service declares', () => {
    const services = [platform, agent];
    expect(() => routesFromServices(services, registryOf(services))).toThrow(
      /route GET \/ask names a JWT authorizer no running service declares/,
    );
  });
});
