// `npm run bench [-- <part>... ] [options]`: measures the platform's speed goals, one run per part.
// Prints a table per part and writes `.switchyard/bench/<part>-<timestamp>.json`. A missed goal is
// reported ("goal MISSED"), never fatal: the exit code is non-zero only when a measurement failed.
//
// To add a part: write scripts/bench/<part>.ts exporting a BenchPart, and list it in PARTS below.
import { cpus, freemem, totalmem } from 'node:os';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../libs/local-cloud/src/repo-root';
import { activityPart } from './bench/activity';
import { agentPart } from './bench/agent';
import { billingPart } from './bench/billing';
import { costPart } from './bench/cost';
import { deliveryPart } from './bench/delivery';
import { ingestPart } from './bench/ingest';
import { localCloudPart } from './bench/local-cloud';
import { notificationsPart } from './bench/notifications';
import { referenceWorkloadMs } from './bench/lib/machine-speed';
import { evaluateGoal, formatReport, writeReport } from './bench/lib/report';
import type { BenchOptions, BenchPart, PartReport, Section } from './bench/lib/types';

/** Every part, in the order `npm run bench` runs them. */
const PARTS: BenchPart[] = [
  localCloudPart,
  ingestPart,
  deliveryPart,
  billingPart,
  agentPart,
  activityPart,
  costPart,
  notificationsPart,
];

const DEFAULTS: BenchOptions = { durationSeconds: 10, warmupSeconds: 3, connections: 32, verbose: false };

function usage(): string {
  const parts = PARTS.map((part) => `  ${part.name.padEnd(14)}${part.description}`).join('\n');
  return `Usage: npm run bench [-- <part>...] [options]

Parts (default: all of them):
${parts}

Options:
  --duration S      seconds of measured load per load test (default ${DEFAULTS.durationSeconds})
  --warmup S        seconds of warm-up load before each (default ${DEFAULTS.warmupSeconds})
  --connections N   concurrent connections per load test (default ${DEFAULTS.connections})
  --verbose         show the output of the servers the bench starts
  -h, --help        this text`;
}

function positiveNumber(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`--${name} must be a non-negative number, got "${text}"`);
  return value;
}

function machine(reference: { atStart: number; atEnd: number }): Record<string, unknown> {
  const cpu = cpus();
  return {
    referenceWorkloadMs: reference,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 1024 / 1024),
    freeMemoryMbAtStart: Math.round(freemem() / 1024 / 1024),
  };
}

async function runPart(part: BenchPart, root: string, options: BenchOptions): Promise<PartReport> {
  const startedAt = new Date();
  const started = performance.now();
  const referenceAtStart = referenceWorkloadMs();
  const scratchDir = join(root, '.switchyard', 'bench', 'tmp', `${part.name}-${process.pid}`);
  mkdirSync(scratchDir, { recursive: true });
  let sections: Section[];
  try {
    sections = await part.run({
      repoRoot: root,
      options,
      scratchDir,
      log: (line) => process.stderr.write(`[bench ${part.name}] ${line}\n`),
    });
  } catch (error) {
    sections = [
      {
        id: '-',
        title: part.description,
        figures: [],
        goals: [],
        notes: [],
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      },
    ];
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  const evaluated = sections.map((section) => ({ ...section, goals: section.goals.map(evaluateGoal) }));
  return {
    part: part.name,
    description: part.description,
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - started,
    machine: machine({ atStart: referenceAtStart, atEnd: referenceWorkloadMs() }),
    options,
    sections: evaluated,
    goals: evaluated.flatMap((section) => section.goals),
    errors: evaluated.filter((s) => s.error).map((s) => `(${s.id}) ${s.title}: ${s.error}`),
  };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage());
    return 0;
  }
  const options: BenchOptions = {
    durationSeconds: positiveNumber(values.duration, DEFAULTS.durationSeconds, 'duration'),
    warmupSeconds: positiveNumber(values.warmup, DEFAULTS.warmupSeconds, 'warmup'),
    connections: Math.max(
      1,
      Math.round(positiveNumber(values.connections, DEFAULTS.connections, 'connections')),
    ),
    verbose: values.verbose ?? false,
  };
  const unknown = positionals.filter((name) => !PARTS.some((part) => part.name === name));
  if (unknown.length > 0) {
    console.error(`unknown part(s): ${unknown.join(', ')}\n\n${usage()}`);
    return 2;
  }
  const selected = positionals.length > 0 ? PARTS.filter((part) => positionals.includes(part.name)) : PARTS;
  const root = repoRoot();
  let failed = 0;
  for (const part of selected) {
    const report = await runPart(part, root, options);
    const path = writeReport(root, report);
    console.log(formatReport(report));
    console.log(`JSON summary: ${path}\n`);
    for (const error of report.errors) console.error(`[bench ${part.name}] ERROR ${error}`);
    if (report.errors.length > 0) failed += 1;
  }
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
