// e2e: `npm run smoke` (`switchyard smoke`) against a real local cloud, as CI runs it after the
// suites that build it: every step passes (status, a temporary key publishes and reads back an
// event, a signed webhook arrives), and what it created is gone afterwards (the key revoked, the
// subscription deleted). A run that cannot get its key fails with exit code 1 and says where.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiKeySummary } from '@switchyard/cli/src/commands/keys';
import type { SmokeStep } from '@switchyard/cli/src/smoke';
import { runCli, runCliJson, useDevJson } from '@switchyard/cli/src/testing';
import { startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';

let cloud: RunningLocalCloud;
let restoreDevJson: () => void = () => {};

beforeAll(async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'sy-e2e-smoke-'));
  cloud = await startLocalCloud({
    services: ['identity', 'ingest', 'delivery'],
    stateDir,
    timeoutMs: 540_000,
  });
  restoreDevJson = useDevJson(join(stateDir, 'dev.json'));
}, 600_000);

afterAll(async () => {
  restoreDevJson();
  await cloud?.stop();
});

it('passes every step on a healthy local cloud and leaves nothing behind', async () => {
  const result = await runCliJson<{ ok: boolean; apiUrl: string; steps: SmokeStep[] }>(['smoke']);
  expect(result.steps.map((s) => [s.step, s.ok])).toEqual([
    ['status', true],
    ['temporary key', true],
    ['subscribe webhook', true],
    ['publish', true],
    ['read back', true],
    ['webhook', true],
    ['clean up', true],
  ]);
  expect(result.ok).toBe(true);
  expect(result.apiUrl).toBe(cloud.apiUrl);
  expect(result.steps.find((s) => s.step === 'webhook')!.detail).toMatch(/^signed POST received/);
  expect(result.steps.find((s) => s.step === 'clean up')!.detail).toBe(
    'subscription deleted; key revoked and refused',
  );

  // Nothing left: the temporary key is revoked, no subscription remains.
  const keys = await runCliJson<ApiKeySummary[]>(['keys', 'list', '--tenant', cloud.tenantId!]);
  const temporary = keys.filter((k) => (k.name ?? '').includes('temporary, revoked by the smoke test'));
  expect(temporary).toHaveLength(1);
  expect(temporary[0]!.status).toBe('revoked');
  const subscriptions = await fetch(`${cloud.apiUrl}/subscriptions`, {
    headers: { authorization: `Bearer ${cloud.apiKey!}` },
  });
  expect(subscriptions.status).toBe(200);
  expect(((await subscriptions.json()) as { subscriptions: unknown[] }).subscriptions).toEqual([]);

  // The text form, as a person reads it after a deploy.
  const text = await runCli(['smoke']);
  expect(text.code).toBe(0);
  expect(text.out).toMatch(/^ok {4}status /m);
  expect(text.out.trim().split('\n').at(-1)).toBe('Smoke test passed.');
}, 180_000);

it('fails with exit code 1, naming the step, when the key cannot be made', async () => {
  const run = await runCli(['smoke', '--tenant', 'ten_does_not_exist', '--json']);
  expect(run.code).toBe(1);
  const result = JSON.parse(run.out) as { ok: boolean; steps: SmokeStep[] };
  expect(result.ok).toBe(false);
  expect(result.steps.map((s) => [s.step, s.ok])).toEqual([
    ['status', true],
    ['temporary key', false],
  ]);
}, 60_000);
