// `npm run deploy -- --stage <stage> [--region <region>]`: packages and checks every service offline
// first (the same gate as `npm run package`), then deploys them together with osls compose, which
// orders stacks by their dependsOn. Needs AWS credentials from the default provider chain.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    stage: { type: 'string' },
    region: { type: 'string' },
    'skip-checks': { type: 'boolean', default: false },
  },
});

if (!values.stage) {
  console.error(
    'usage: npm run deploy -- --stage <stage> [--region <region>]\n(a stage is required: there is no default deploy target)',
  );
  process.exit(2);
}
if (values.stage === 'local') {
  console.error('the local stage runs on this machine: use npm start');
  process.exit(2);
}

function run(command: string, args: string[]): void {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!values['skip-checks']) {
  run(process.execPath, ['scripts/run-ts.mjs', 'scripts/package-all.ts', '--stage', values.stage]);
}
const regionArgs = values.region ? ['--region', values.region] : [];
run('osls-compose', ['deploy', '--stage', values.stage, ...regionArgs]);
