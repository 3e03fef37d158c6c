/**
 * `switchyard smoke` (also `npm run smoke`): the smoke test after a deploy, on the local cloud or a
 * stage on AWS (see ../smoke.ts). Exit code 1 when a step failed.
 */
import type { Command } from 'commander';
import type { ApiDeps } from '../api';
import { operatorApi, platformApiUrl, targetOptions } from '../api';
import { CliError, ExitStatus } from '../exit';
import { runSmoke } from '../smoke';
import { resolveTarget } from '../target';

export function registerSmoke(
  program: Command,
  ctx: { out: (text: string) => void; deps: ApiDeps & { smokeWaitMs?: number } },
): void {
  targetOptions(
    program
      .command('smoke')
      .description(
        'Smoke-test a deployment: status, a temporary key publishes and reads an event back, a webhook receives it (locally), then clean up.',
      )
      .option('--tenant <tenantId>', 'the tenant of the temporary key (default locally: the demo tenant)'),
  ).action(async (options: { stage?: string; region?: string; json?: boolean; tenant?: string }) => {
    const target = resolveTarget(options);
    const tenantId = options.tenant ?? (target.kind === 'local' ? target.info.tenantId : null);
    if (!tenantId)
      throw new CliError(
        target.kind === 'local'
          ? 'the local cloud has no demo tenant (is identity running?): pass --tenant'
          : 'pass --tenant <tenantId>: the tenant the temporary key belongs to (a tenant kept for smoke tests)',
      );
    const apiUrl =
      target.kind === 'local'
        ? target.info.apiUrl
        : await platformApiUrl(target.stage, target.region, ctx.deps.cloudFormation);
    const steps = await runSmoke({
      apiUrl,
      operator: await operatorApi(target, ctx.deps),
      tenantId,
      // A webhook listening here is reachable from the local cloud, not from AWS.
      webhook: target.kind === 'local',
      ...(ctx.deps.smokeWaitMs ? { waitMs: ctx.deps.smokeWaitMs } : {}),
      ...(ctx.deps.fetch ? { fetch: ctx.deps.fetch } : {}),
    });
    const ok = steps.every((s) => s.ok);
    if (options.json) ctx.out(`${JSON.stringify({ ok, apiUrl, steps }, null, 2)}\n`);
    else {
      const width = Math.max(...steps.map((s) => s.step.length));
      ctx.out(`Smoke test of ${apiUrl}\n`);
      for (const s of steps)
        ctx.out(
          `${s.ok ? 'ok  ' : 'FAIL'}  ${s.step.padEnd(width)}  ${String(s.ms).padStart(6)} ms  ${s.detail}\n`,
        );
      ctx.out(ok ? 'Smoke test passed.\n' : 'Smoke test FAILED.\n');
    }
    if (!ok) throw new ExitStatus(1);
  });
}
