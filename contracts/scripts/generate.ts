// Writes contracts/generated/ from the contracts (npm run contracts:generate). The content comes from
// src/generate.ts; this file only replaces what is on disk, so removed contracts leave no stale files.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GENERATED_DIR, generateFiles } from '../src/generate';

const packageDir = resolve(__dirname, '..');
rmSync(join(packageDir, GENERATED_DIR), { recursive: true, force: true });
const files = generateFiles();
for (const file of files) {
  const target = join(packageDir, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
}
console.log(`contracts: wrote ${files.length} files to contracts/${GENERATED_DIR}/`);
