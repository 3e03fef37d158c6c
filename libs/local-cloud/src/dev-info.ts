import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Endpoints } from './types';

export interface DemoTenant {
  tenantId: string;
  apiKey: string;
  adminEmail: string;
}

/**
 * An alarm the local cloud evaluates: a queue's depth (every DLQ's), or a function's errors or
 * duration over the alarm's period. `value` is the datapoint compared with the threshold.
 */
export interface AlarmState {
  name: string;
  state: 'OK' | 'ALARM';
  value: number;
  /** DLQ alarms: the queue and its depth (= value). */
  queue?: string;
  depth?: number;
  /** Function alarms: the function and the AWS/Lambda metric (Errors, Duration). */
  functionName?: string;
  metric?: string;
}

/**
 * What the running local cloud tells scripts and tests, written to .switchyard/dev.json and printed
 * in the banner. `tenantId`/`apiKey` are null until the identity service exists to seed them;
 * `missing` then says why.
 */
export interface DevInfo {
  apiUrl: string;
  mailboxUrl: string;
  region: string;
  stage: string;
  accountId: string;
  endpoints: Endpoints;
  tenantId: string | null;
  apiKey: string | null;
  adminEmail: string | null;
  services: string[];
  missing: string[];
  alarms: AlarmState[];
  /** When billing runs: the `whsec_…` its webhook verifies (STRIPE_WEBHOOK_SECRET, else generated). */
  stripeWebhookSecret?: string;
  /** When the agent runs: its streaming route and the model its stream function is configured with. */
  agent?: { streamUrl: string; provider: string; model: string };
  pid: number;
  startedAt: string;
  readyInMs: number;
}

/** Writes atomically, so a script polling the file never reads half of it. */
export function writeDevInfo(path: string, info: DevInfo): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
