import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { busContracts } from '@switchyard/contracts';
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
      expect(
        checkTemplate(readPackagedTemplate(service.dir), { stage: STAGE, contracts: busContracts }),
      ).toEqual([]);
    }, 120_000);
  });
}
