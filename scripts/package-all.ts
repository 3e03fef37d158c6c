// `npm run package [-- --stage S]`: packages every service serverless-compose.yml lists, offline and
// two at a time (the machine has two cores), then checks each packaged template against the platform
// policy (libs/cfn-policy). Exits non-zero with one line per violation.
import { busContracts } from '@switchyard/contracts';
import { checkTemplate, formatViolations, listComposeServices } from '../libs/cfn-policy/src';
import { packageService, readPackagedTemplate } from '../libs/local-cloud/src/packaging';
import { repoRoot } from '../libs/local-cloud/src/repo-root';

const CONCURRENCY = 2;

function stageFromArgs(args: string[]): string {
  const index = args.indexOf('--stage');
  const stage = index >= 0 ? args[index + 1] : args.find((arg) => arg.startsWith('--stage='))?.slice(8);
  return stage ?? 'local';
}

async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(workers);
}

async function main(): Promise<number> {
  const root = repoRoot();
  const stage = stageFromArgs(process.argv.slice(2));
  const services = listComposeServices(root);
  if (services.length === 0) {
    console.log('switchyard: no services listed yet in serverless-compose.yml; nothing to package');
    return 0;
  }
  const failed: string[] = [];
  await inPool(services, CONCURRENCY, async (service) => {
    const started = Date.now();
    try {
      await packageService(service.dir, stage);
      console.log(`packaged ${service.name} (${stage}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      failed.push(service.name);
      console.error(`packaging ${service.name} failed:\n${(error as Error).message}`);
    }
  });
  if (failed.length > 0) return 1;

  let violationCount = 0;
  for (const service of services) {
    const violations = checkTemplate(readPackagedTemplate(service.dir), {
      stage,
      contracts: busContracts,
      service: service.name,
    });
    if (violations.length === 0) continue;
    violationCount += violations.length;
    console.error(formatViolations(service.name, violations));
  }
  if (violationCount > 0) {
    console.error(`switchyard: ${violationCount} policy violation(s); see libs/cfn-policy/README.md`);
    return 1;
  }
  console.log(`switchyard: ${services.length} service(s) packaged for ${stage}; policy checks passed`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
