/**
 * `switchyard dlq list|peek|replay|purge|history`: on-call tools for dead-letter queues, on the local
 * cloud (no flags) and on AWS (`--stage`, `--region`), one module per subcommand. Thin: discovery,
 * decoding, filters, rate and the moves themselves live in ../../dlq/ and are tested there. See
 * docs/runbooks/dlq.md.
 */
import type { Command } from 'commander';
import type { DlqContext } from './common';
import { registerHistory } from './history';
import { registerList } from './list';
import { registerPeek } from './peek';
import { registerPurge } from './purge';
import { registerReplay } from './replay';

export type { DlqContext, DlqDeps } from './common';

export function registerDlq(program: Command, ctx: DlqContext): void {
  const dlq = program
    .command('dlq')
    .description('Inspect, replay and purge dead-letter queues (see docs/runbooks/dlq.md).');
  registerList(dlq, ctx);
  registerPeek(dlq, ctx);
  registerReplay(dlq, ctx);
  registerPurge(dlq, ctx);
  registerHistory(dlq, ctx);
}
