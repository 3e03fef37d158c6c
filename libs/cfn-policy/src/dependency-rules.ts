import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface DependencyViolation {
  rule: string;
  from: string;
  to: string;
}

// dependency-cruiser is ESM-only (its exports have no "require" condition), which jest's CommonJS
// module system cannot load; so its `cruise` API runs in a child Node process and reports JSON.
const SCRIPT = `
import { createRequire } from 'node:module';
const [configPath, baseDir, ...paths] = process.argv.slice(1);
const config = createRequire(import.meta.url)(configPath);
const { cruise } = await import('dependency-cruiser');
const { enhancedResolveOptions = {}, ...options } = config.options ?? {};
const result = await cruise(
  paths,
  { ...options, baseDir, validate: true, ruleSet: { forbidden: config.forbidden } },
  enhancedResolveOptions,
);
const violations = result.output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
process.stdout.write(JSON.stringify(violations));
`;

/**
 * Cruises `paths` (relative to `baseDir`) with the rules of the repository's .dependency-cruiser.cjs
 * and returns what they forbid. `repoRoot` is where that config and dependency-cruiser live.
 */
export function cruiseDependencies(
  repoRoot: string,
  baseDir: string,
  paths: string[],
): Promise<DependencyViolation[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', SCRIPT, join(repoRoot, '.dependency-cruiser.cjs'), baseDir, ...paths],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`dependency-cruiser failed (exit ${code}):\n${stderr}`));
      try {
        resolve(JSON.parse(stdout) as DependencyViolation[]);
      } catch (error) {
        reject(new Error(`dependency-cruiser printed no JSON: ${String(error)}\n${stdout}\n${stderr}`));
      }
    });
  });
}
