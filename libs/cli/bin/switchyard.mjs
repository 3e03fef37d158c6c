#!/usr/bin/env node
// The `switchyard` command (npx switchyard ...). Runs the TypeScript CLI through tsx on Node 22+;
// npx puts node_modules/.bin (where the node@22 devDependency lives) first on PATH.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `switchyard: Node ${process.versions.node} is running; Node 22+ is needed (run it with npx from the repository).`,
  );
  process.exit(1);
}
const { register: registerEsm } = await import('tsx/esm/api');
const { register: registerCjs } = await import('tsx/cjs/api');
registerEsm();
registerCjs();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
