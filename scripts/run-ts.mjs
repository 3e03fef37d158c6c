#!/usr/bin/env node
// Runs a TypeScript entry point on Node 22+, in this process. npm scripts put node_modules/.bin first
// on PATH, where the `node@22` devDependency lives, so `node` here is 22 even when the system node is
// 20. We still check, so a wrong setup fails with a clear message, not an obscure error later.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `switchyard: Node ${process.versions.node} is running; Node 22+ is needed. Run through npm ` +
      '(npm start, npm test, npm run ...), which uses the node@22 devDependency, or install Node 22.',
  );
  process.exit(1);
}
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
// Both hooks: our .ts files are CommonJS modules (the repo has no "type": "module").
const { register: registerEsm } = await import('tsx/esm/api');
const { register: registerCjs } = await import('tsx/cjs/api');
registerEsm();
registerCjs();
process.argv = [process.argv[0], resolve(entry), ...args];
await import(pathToFileURL(resolve(entry)).href);
