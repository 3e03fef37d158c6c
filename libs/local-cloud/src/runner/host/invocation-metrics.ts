/**
 * What CloudWatch's AWS/Lambda metrics would say about each local function, kept in memory for the
 * last minutes: invocations, errors and durations. The alarms the local cloud evaluates
 * (src/alarms.ts) and `npx switchyard status` read them.
 */

/** Long enough for any alarm period the templates use (5 minutes) and `status --minutes 15`. */
export const METRICS_WINDOW_MS = 15 * 60_000;

interface Invocation {
  at: number;
  durationMs: number;
  error: boolean;
}

export interface FunctionMetrics {
  functionName: string;
  invocations: number;
  errors: number;
  /** Nearest-rank 99th percentile of the durations, ms; null with no invocation. */
  p99Ms: number | null;
  maxMs: number | null;
}

/** The nearest-rank percentile of sorted values (CloudWatch's pNN on few datapoints). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** Since the cloud started: what Lambda would bill (requests, and duration for GB-seconds). */
export interface FunctionTotals {
  functionName: string;
  invocations: number;
  durationMs: number;
}

export class InvocationMetrics {
  private readonly byFunction = new Map<string, Invocation[]>();
  private readonly sinceStart = new Map<string, FunctionTotals>();

  constructor(private readonly now: () => number = Date.now) {}

  record(functionName: string, durationMs: number, error: boolean): void {
    let list = this.byFunction.get(functionName);
    if (!list) this.byFunction.set(functionName, (list = []));
    const at = this.now();
    list.push({ at, durationMs, error });
    let total = this.sinceStart.get(functionName);
    if (!total) this.sinceStart.set(functionName, (total = { functionName, invocations: 0, durationMs: 0 }));
    total.invocations += 1;
    total.durationMs += durationMs;
    while (list.length > 0 && list[0]!.at < at - METRICS_WINDOW_MS) list.shift();
  }

  /** Each function's invocations and summed duration since the cloud started. */
  totals(): FunctionTotals[] {
    return [...this.sinceStart.values()].map((total) => ({ ...total }));
  }

  /** Each function's figures over the last `windowMs` (functions never invoked are left out). */
  summary(windowMs: number, functionName?: string): FunctionMetrics[] {
    const since = this.now() - windowMs;
    const out: FunctionMetrics[] = [];
    for (const [name, list] of this.byFunction) {
      if (functionName !== undefined && name !== functionName) continue;
      const recent = list.filter((invocation) => invocation.at >= since);
      const durations = recent.map((invocation) => invocation.durationMs).sort((a, b) => a - b);
      out.push({
        functionName: name,
        invocations: recent.length,
        errors: recent.filter((invocation) => invocation.error).length,
        p99Ms: percentile(durations, 99),
        maxMs: durations.length ? durations[durations.length - 1]! : null,
      });
    }
    return out.sort((a, b) => a.functionName.localeCompare(b.functionName));
  }
}
