/**
 * `switchyard dlq peek <dlq>`: messages decoded, with the reason their consumer recorded; nothing is
 * consumed (they stay in the DLQ, visible again at once).
 */
import type { Command } from 'commander';
import { targetOptions } from '../../api';
import { decodeMessage } from '../../dlq/decode';
import type { DecodedMessage } from '../../dlq/decode';
import { peekMessages } from '../../dlq/engine';
import { lookupFailures } from '../../dlq/failures';
import { sqsPort } from '../../dlq/sqs-port';
import { CliError } from '../../exit';
import { discoverDlq, formatAge, positiveInt } from './common';
import type { DlqContext, TargetFlags } from './common';

export function registerPeek(dlq: Command, ctx: DlqContext): void {
  const { out } = ctx;
  targetOptions(
    dlq
      .command('peek <dlq>')
      .description('Show messages without consuming them (they stay in the DLQ, visible again at once).')
      .option('--limit <n>', 'how many messages at most (1-100)', positiveInt('--limit'), 10)
      .option('--body', 'also print each message body (may hold personal data)'),
  ).action(async (ref: string, options: TargetFlags & { limit: number; body?: boolean }) => {
    if (options.limit > 100) throw new CliError('--limit is at most 100');
    const { topology, info } = await discoverDlq(ref, options, ctx);
    const raw = await peekMessages({ port: sqsPort(topology.sqs), queueUrl: info.url, limit: options.limit });
    const decoded = raw.map((m) => ({ raw: m, decoded: decodeMessage(m) }));
    const lookup =
      info.kind === 'redrive'
        ? await lookupFailures(
            info.consumers,
            decoded.map((d) => d.decoded.messageId),
            topology,
          )
        : { failures: new Map(), notes: [] as string[] };
    const messages = decoded.map(({ raw: message, decoded: d }) => {
      const failure = lookup.failures.get(d.messageId);
      return {
        ...d,
        failure: failure
          ? {
              reason: failure.reason,
              kind: failure.kind,
              failures: failure.failures,
              firstFailedAt: failure.firstFailedAt,
              lastFailedAt: failure.lastFailedAt,
              functionName: failure.functionName ?? null,
            }
          : null,
        ...(options.body ? { body: parseBody(message.Body) } : {}),
      };
    });
    const notes = [...lookup.notes];
    if (info.kind === 'stream-failure')
      notes.push(
        'these are Lambda failure records of a stream batch, not messages: they name a shard and a range of sequence numbers to look at (see docs/runbooks/dlq.md)',
      );
    if (options.json) {
      out(
        `${JSON.stringify(
          {
            dlq: {
              name: info.name,
              kind: info.kind,
              sourceQueue: info.sourceQueue,
              consumer: info.consumer,
              depth: info.depth,
            },
            messages,
            notes,
          },
          null,
          2,
        )}\n`,
      );
      return;
    }
    out(
      `${info.name}: ${messages.length} of ~${info.depth} message(s) shown${info.consumer ? ` (consumer ${info.consumer})` : ''}; they stay in the DLQ.\n`,
    );
    messages.forEach((m, index) => out(`\n${formatPeeked(index + 1, m, options.body === true)}`));
    for (const note of notes) out(`\nNote: ${note}\n`);
  });
}

function parseBody(body: string | undefined): unknown {
  try {
    return JSON.parse(body ?? '');
  } catch {
    return body ?? null;
  }
}

function ago(iso: string | undefined): string {
  if (!iso) return '';
  return ` (${formatAge(Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000)))} ago)`;
}

function formatPeeked(
  index: number,
  m: DecodedMessage & {
    failure: { reason: string; failures: number; lastFailedAt: string } | null;
    body?: unknown;
  },
  withBody: boolean,
): string {
  const lines: string[] = [];
  if (m.kind === 'stream-failure' && m.stream) {
    const s = m.stream;
    lines.push(`${index}. ${m.messageId}  stream batch failure (${s.condition ?? 'failed'})`);
    lines.push(`   ${s.batchSize ?? '?'} record(s) of ${s.streamArn ?? '?'}, shard ${s.shardId ?? '?'}`);
    lines.push(`   sequence numbers ${s.startSequenceNumber ?? '?'} .. ${s.endSequenceNumber ?? '?'}`);
    lines.push(
      `   records from ${s.firstRecordAt ?? '?'} to ${s.lastRecordAt ?? '?'}; ${s.approximateInvokeCount ?? '?'} attempt(s) by ${s.functionArn ?? '?'}${s.functionError ? ` (${s.functionError})` : ''}`,
    );
  } else {
    const name = m.detailType
      ? `${m.detailType} (${m.source ?? '?'} v${m.version ?? '?'})`
      : 'unknown message';
    lines.push(`${index}. ${m.messageId}  ${name}`);
    lines.push(
      `   tenant ${m.tenantId ?? '-'}  event id ${m.eventId ?? '-'}  correlation ${m.correlationId ?? '-'}`,
    );
  }
  lines.push(`   sent ${m.sentAt ?? '?'}${ago(m.sentAt)}, received ${m.receiveCount ?? '?'} time(s)`);
  if (m.problem) lines.push(`   ${m.problem}`);
  if (m.failure)
    lines.push(
      `   failed: ${m.failure.reason} (${m.failure.failures} failure(s), last ${m.failure.lastFailedAt})`,
    );
  else if (m.kind !== 'stream-failure') lines.push('   failed: no reason recorded');
  if (withBody) lines.push(`   body: ${JSON.stringify(m.body)}`);
  return `${lines.join('\n')}\n`;
}
