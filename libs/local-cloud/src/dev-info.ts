import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Endpoints } from './types';

export interface DemoTenant {
  tenantId: string;
  apiKey: string;
  adminEmail: string;
}

export interface AlarmState {
  name: string;
  queue: string;
  depth: number;
  state: 'OK' | 'ALARM';
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
