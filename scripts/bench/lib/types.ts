/** The shapes every benchmark part produces; scripts/bench.ts prints and stores them. */

/** One measured figure, as measured in this run. */
export interface Figure {
  label: string;
  value: number | string | boolean | null;
  unit?: string;
}

/** A goal from an issue, checked against one measured figure; a missed goal is reported, never fatal. */
export interface Goal {
  id: string;
  description: string;
  measured: number;
  unit: string;
  /** `at-least`: measured ≥ target; `below`: measured < target. */
  comparison: 'at-least' | 'below';
  target: number;
}

export interface GoalResult extends Goal {
  /** measured / target: ≥ 1 meets an at-least goal, < 1 meets a below goal. */
  ratio: number;
  met: boolean;
}

/** One measurement of a part (e.g. "(a) runner vs serverless-offline"). */
export interface Section {
  id: string;
  title: string;
  figures: Figure[];
  goals: Goal[];
  notes: string[];
  /** Set when the measurement could not be made; the bench then exits non-zero. */
  error?: string;
  /** Anything else worth keeping in the JSON summary (raw load-test results, process lists). */
  details?: Record<string, unknown>;
}

export interface BenchOptions {
  /** Seconds of measured load per load test. */
  durationSeconds: number;
  /** Seconds of warm-up load before each measured load test. */
  warmupSeconds: number;
  /** Concurrent connections of each load test. */
  connections: number;
  /** Forward servers' output to this terminal. */
  verbose: boolean;
}

export interface PartContext {
  repoRoot: string;
  options: BenchOptions;
  /** Progress line on stderr (the tables go to stdout). */
  log(line: string): void;
  /** Scratch directory for this part's run (under .switchyard/bench/tmp), removed afterwards. */
  scratchDir: string;
}

/** A selectable part of `npm run bench`: one file in scripts/bench/, one line in the registry. */
export interface BenchPart {
  name: string;
  description: string;
  run(context: PartContext): Promise<Section[]>;
}

export interface PartReport {
  part: string;
  description: string;
  startedAt: string;
  durationMs: number;
  machine: Record<string, unknown>;
  options: BenchOptions;
  sections: (Omit<Section, 'goals'> & { goals: GoalResult[] })[];
  goals: GoalResult[];
  errors: string[];
}
