import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { busContracts } from '@switchyard/contracts';
import {
  packagedTemplatePath,
  packageService,
  readPackagedTemplate,
} from '../../../local-cloud/src/packaging';
import { checkTemplate } from '../../src';

// The sample service is shaped like a real one (table, queue + DLQ + alarm, httpApi, sqs and
// eventBridge events, the shared serverless.common.yml); packaging it proves the whole toolchain
// works offline and that the policy accepts what osls really generates.
const sampleService = join(__dirname, '..', 'fixtures', 'sample-service');
// osls + esbuild take a few seconds per package on two cores; jest's per-project timeout is not applied.
const PACKAGING_TIMEOUT_MS = 120_000;

describe('packaging the sample service offline', () => {
  it.each(['prod', 'local'])(
    'packages for %s with no AWS variables and passes every policy',
    async (stage) => {
      await packageService(sampleService, stage);

      const zip = join(sampleService, '.serverless', 'switchyard-sample.zip');
      expect(statSync(zip).size).toBeGreaterThan(0);
      expect(existsSync(packagedTemplatePath(sampleService))).toBe(true);

      const template = readPackagedTemplate(sampleService);
      expect(template.Resources.ItemsTable?.DeletionPolicy).toBe(stage === 'prod' ? 'Retain' : 'Delete');
      expect(checkTemplate(template, { stage, contracts: busContracts })).toEqual([]);
    },
    PACKAGING_TIMEOUT_MS,
  );
});
