import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { eventPattern } from '@switchyard/contracts/event-patterns.cjs';
import { parse } from 'yaml';
import { isRecord } from './intrinsics';

/** The helper every rule pattern in a service's YAML is built with, relative to the repository root. */
export const EVENT_PATTERNS_HELPER = 'contracts/event-patterns.cjs';

/** `${file(<path>):pinned.A+B}` or `${file(<path>):anyVersion.A}`: the only way a YAML pattern is written. */
const GENERATED_PATTERN = /^\$\{file\(([^)]+)\):(pinned|anyVersion)\.([^}]+)\}$/;

// Build output and tests: only what osls reads as the service's configuration is checked.
const SKIPPED_FOLDERS = new Set(['node_modules', '.serverless', '.esbuild', 'test']);

export interface PatternSourceViolation {
  /** The YAML file, relative to the service directory (POSIX separators). */
  file: string;
  /** Where in the file, as dotted keys (`Resources.Rule.Properties.EventPattern`). */
  path: string;
  message: string;
}

function yamlFiles(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  return entries.flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_FOLDERS.has(entry.name) ? [] : yamlFiles(join(dir, entry.name));
    return /\.ya?ml$/.test(entry.name) ? [join(dir, entry.name)] : [];
  });
}

/**
 * Rule patterns in a service's YAML (an `AWS::Events::Rule`'s `EventPattern`, a function's
 * `eventBridge.pattern`) that are not built from the contracts by contracts/event-patterns.cjs, and
 * any `detail-type` typed by hand. Packaging resolves the helper; this check, which reads the source
 * YAML, is what keeps a hand-typed pattern from being added beside it.
 */
export function checkEventPatternSources(serviceDir: string, repoRoot: string): PatternSourceViolation[] {
  if (!existsSync(serviceDir)) throw new Error(`${serviceDir} does not exist`);
  const helper = resolve(repoRoot, EVENT_PATTERNS_HELPER);
  const violations: PatternSourceViolation[] = [];

  for (const path of yamlFiles(serviceDir)) {
    const file = relative(serviceDir, path).split(sep).join('/');
    // CloudFormation tags (!Ref, !GetAtt) are unknown to the parser; their values stay strings.
    const document: unknown = parse(readFileSync(path, 'utf8'), { logLevel: 'silent' });
    const report = (at: string[], message: string) => violations.push({ file, path: at.join('.'), message });

    const checkPattern = (value: unknown, at: string[]) => {
      const match = typeof value === 'string' ? GENERATED_PATTERN.exec(value) : null;
      if (!match) {
        report(
          at,
          `pattern is not built from the contracts; write \${file(<path to ${EVENT_PATTERNS_HELPER}>):pinned.<Names>}`,
        );
        return;
      }
      const [, helperPath = '', mode, names = ''] = match;
      if (resolve(serviceDir, helperPath) !== helper) {
        report(
          at,
          `${helperPath} is not ${EVENT_PATTERNS_HELPER} (paths are relative to the service folder)`,
        );
        return;
      }
      try {
        eventPattern(names, { pinVersion: mode === 'pinned' });
      } catch (error) {
        report(at, (error as Error).message);
      }
    };

    const visit = (node: unknown, at: string[]) => {
      if (Array.isArray(node)) {
        node.forEach((item, index) => visit(item, [...at, String(index)]));
        return;
      }
      if (!isRecord(node)) return;
      for (const [key, value] of Object.entries(node)) {
        const here = [...at, key];
        if (key === 'detail-type') {
          report(here, 'detail-type typed by hand; the contracts define it');
        } else if (key === 'EventPattern' || (key === 'pattern' && at.at(-1) === 'eventBridge')) {
          checkPattern(value, here);
        } else {
          visit(value, here);
        }
      }
    };
    visit(document, []);
  }
  return violations;
}
