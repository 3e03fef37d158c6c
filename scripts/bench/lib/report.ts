/** Goal verdicts, the tables printed per part, and the JSON summary under .switchyard/bench/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Figure, Goal, GoalResult, PartReport } from './types';

export function evaluateGoal(goal: Goal): GoalResult {
  const ratio = goal.target === 0 ? Number.POSITIVE_INFINITY : goal.measured / goal.target;
  const met = goal.comparison === 'at-least' ? goal.measured >= goal.target : goal.measured < goal.target;
  return { ...goal, ratio, met };
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function formatValue(figure: Figure): string {
  const { value, unit } = figure;
  if (value === null) return 'n/a';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  const text = typeof value === 'number' ? formatNumber(value) : value;
  return unit ? `${text} ${unit}` : text;
}

/** A plain text table: first row is the header. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  if (!header) return '';
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function comparisonText(goal: GoalResult): string {
  return `${goal.comparison === 'at-least' ? '>=' : '<'} ${formatNumber(goal.target)} ${goal.unit}`.trim();
}

export function formatReport(report: PartReport): string {
  const out: string[] = [`== ${report.part}: ${report.description}`, ''];
  for (const section of report.sections) {
    out.push(`(${section.id}) ${section.title}`);
    if (section.figures.length > 0) {
      out.push(table([['measure', 'value'], ...section.figures.map((f) => [f.label, formatValue(f)])]));
    }
    if (section.error) out.push(`ERROR: ${section.error.split('\n')[0]}`);
    for (const note of section.notes) out.push(`  note: ${note}`);
    out.push('');
  }
  if (report.goals.length > 0) {
    out.push('Goals');
    out.push(
      table([
        ['goal', 'measured', 'target', 'ratio (measured/target)', 'verdict'],
        ...report.goals.map((g) => [
          `(${g.id}) ${g.description}`,
          `${formatNumber(g.measured)} ${g.unit}`.trim(),
          comparisonText(g),
          formatNumber(g.ratio),
          g.met ? 'goal met' : 'goal MISSED',
        ]),
      ]),
    );
    out.push('');
  }
  if (report.errors.length > 0)
    out.push(`${report.errors.length} measurement(s) failed; see the errors above and in the JSON.`);
  const reference = report.machine.referenceWorkloadMs as { atStart: number; atEnd: number } | undefined;
  if (reference) {
    out.push(
      `Machine speed: the reference workload (scripts/bench/lib/machine-speed.ts) took ${reference.atStart} ms ` +
        `before this part and ${reference.atEnd} ms after it (lower is faster; compare runs by it).`,
    );
  }
  out.push(`${report.part} took ${formatNumber(report.durationMs / 1000)} s`);
  return out.join('\n');
}

/** Writes `.switchyard/bench/<part>-<timestamp>.json` and returns its path. */
export function writeReport(repoRoot: string, report: PartReport): string {
  const dir = join(repoRoot, '.switchyard', 'bench');
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const path = join(dir, `${report.part}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
