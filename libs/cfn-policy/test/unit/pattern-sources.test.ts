import { join, resolve } from 'node:path';
import { checkEventPatternSources, listComposeServices } from '../../src';

const repoRoot = resolve(__dirname, '..', '..', '..', '..');
const fixtures = join(__dirname, '..', 'fixtures');

describe('rule patterns in services’ YAML', () => {
  it.each([
    ...listComposeServices(repoRoot).map((service) => [service.name, service.dir] as const),
    ['the sample service', join(fixtures, 'sample-service')] as const,
  ])('%s builds every pattern from the contracts', (_name, dir) => {
    expect(checkEventPatternSources(dir, repoRoot)).toEqual([]);
  });

  it('reports each hand-typed or unusable pattern of the fixture service, and nothing else', () => {
    const found = checkEventPatternSources(join(fixtures, 'hand-typed-patterns'), repoRoot);
    const notGenerated = expect.stringContaining('pattern is not built from the contracts');
    expect(found).toEqual([
      {
        file: 'resources/rules.yml',
        path: 'Resources.HandTypedRule.Properties.EventPattern',
        message: notGenerated,
      },
      {
        file: 'resources/rules.yml',
        path: 'Resources.MisspelledRule.Properties.EventPattern',
        message: expect.stringContaining('no bus message is named ApiKeyRevokd'),
      },
      {
        file: 'resources/rules.yml',
        path: 'Resources.OtherHelperRule.Properties.EventPattern',
        message:
          './patterns.cjs is not contracts/event-patterns.cjs (paths are relative to the service folder)',
      },
      {
        file: 'resources/rules.yml',
        path: 'Resources.TwoSourcesRule.Properties.EventPattern',
        message: expect.stringContaining('write one rule per source'),
      },
      {
        file: 'resources/rules.yml',
        path: 'Resources.IndirectRule.Properties.EventPattern',
        message: notGenerated,
      },
      {
        file: 'serverless.yml',
        path: 'custom.keyEvents.detail-type',
        message: 'detail-type typed by hand; the contracts define it',
      },
      {
        file: 'serverless.yml',
        path: 'functions.onTenantCreated.events.0.eventBridge.pattern',
        message: notGenerated,
      },
    ]);
  });
});
