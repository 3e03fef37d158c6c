#!/usr/bin/env node
// `npm test`: formatting, lint, type check and every jest suite (unit, integration, e2e), then one
// closing line `N passed, N failed`. Each static check counts as one test; jest counts its own.
// Usage: npm test [-- --only jest|static] [-- <jest args>]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`npm test needs Node 22+ (running ${process.versions.node}); run it through npm.`);
  process.exit(1);
}

const argv = process.argv.slice(2);
let only = null;
const jestArgs = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--only') only = argv[++i];
  else jestArgs.push(argv[i]);
}

let passed = 0;
let failed = 0;
const failures = [];

function step(name, cmd, args) {
  console.log(`\n== ${name}: ${cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  if (result.status === 0) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

if (only === null || only === 'static') {
  step('format', 'prettier', ['--check', '--log-level', 'warn', '.']);
  step('lint', 'eslint', ['--max-warnings', '0', '.']);
  step('typecheck', 'tsc', ['-p', 'tsconfig.json']);
}

if (only === null || only === 'jest') {
  const out = '.jest-results/results.json';
  rmSync(out, { force: true });
  mkdirSync('.jest-results', { recursive: true });
  console.log('\n== jest');
  const result = spawnSync('jest', ['--json', `--outputFile=${out}`, ...jestArgs], { stdio: 'inherit' });
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    // A suite that fails to load has no tests to count; it still has to fail the run.
    if (r.numRuntimeErrorTestSuites > 0) {
      failed += r.numRuntimeErrorTestSuites;
      failures.push(`${r.numRuntimeErrorTestSuites} jest suite(s) failed to run`);
    }
    if (r.numFailedTests > 0) failures.push(`${r.numFailedTests} jest test(s)`);
    if (r.numTotalTests === 0 && jestArgs.length === 0) {
      failed++;
      failures.push('jest ran no tests');
    }
  } else {
    failed++;
    failures.push(`jest did not report (exit ${result.status})`);
  }
}

if (failures.length) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
