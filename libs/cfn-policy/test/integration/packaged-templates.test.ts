import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { busContracts } from '@switchyard/contracts';
import { parse } from 'yaml';
import { packageService, readPackagedTemplate } from '../../../local-cloud/src/packaging';
import { checkTemplate, listComposeServices, listServiceFolders } from '../../src';

const root = resolve(__dirname, '..', '..', '..', '..');
const services = listComposeServices(root);
// The stage with the strictest rules (Retain on tables).
const STAGE = 'prod';

describe('serverless-compose.yml', () => {
  it('lists exactly the service folders that hold a serverless.yml', () => {
    const listed = services.map((service) => service.path.replace(/^\.\//, '').replace(/\/$/, '')).sort();
    expect(listed).toEqual(listServiceFolders(root));
    for (const service of services) expect(existsSync(join(service.dir, 'serverless.yml'))).toBe(true);
  });
});

// With no service listed, the compose check above is this file's whole assertion.
if (services.length > 0) {
  describe.each(services)('service $name', (service) => {
    it('packages offline into a template that breaks no platform rule', async () => {
      await packageService(service.dir, STAGE);
      const template = readPackagedTemplate(service.dir);
      expect(
        checkTemplate(template, { stage: STAGE, contracts: busContracts, service: service.name }),
      ).toEqual([]);
      // One base URL on AWS: only the platform declares the HTTP API; every route attaches to it.
      const types = Object.values(template.Resources).map((resource) => resource.Type);
      if (service.name === 'platform') {
        expect(types.filter((type) => type === 'AWS::ApiGatewayV2::Api')).toHaveLength(1);
      } else {
        for (const route of Object.values(template.Resources).filter(
          (resource) => resource.Type === 'AWS::ApiGatewayV2::Route',
        )) {
          expect(route.Properties?.ApiId).toEqual({ 'Fn::ImportValue': `switchyard-${STAGE}-http-api-id` });
        }
      }
    }, 120_000);
  });
}

describe('serverless-compose.yml order', () => {
  it('lists the platform first, and every other service depends on it', () => {
    expect(services[0]?.name).toBe('platform');
    const compose = parse(readFileSync(join(root, 'serverless-compose.yml'), 'utf8')) as {
      services: Record<string, { dependsOn?: string[] }>;
    };
    for (const service of services.slice(1)) {
      expect(compose.services[service.name]?.dependsOn).toContain('platform');
    }
  });
});
