import type { AlarmState, DevInfo } from './dev-info';

/** The text `npm start` prints once the local cloud is ready. Pure, so it is tested directly. */
export function formatBanner(info: DevInfo, devJsonPath = '.switchyard/dev.json'): string {
  const lines: string[] = [];
  const rule = '─'.repeat(72);
  lines.push(
    rule,
    `Switchyard local cloud is ready in ${(info.readyInMs / 1000).toFixed(1)} s (stage ${info.stage})`,
    rule,
  );
  lines.push(`  API          ${info.apiUrl}`);
  lines.push(`  Mailbox      ${info.mailboxUrl}`);
  lines.push(
    `  Services     ${info.services.length ? info.services.join(', ') : '(none listed in serverless-compose.yml)'}`,
  );
  lines.push('  Emulators');
  for (const [name, url] of Object.entries(info.endpoints)) lines.push(`    ${name.padEnd(10)} ${url}`);
  lines.push(`  Region       ${info.region}, account ${info.accountId}`);
  if (info.tenantId && info.apiKey) {
    lines.push('', `  Demo tenant  ${info.tenantId} (admin ${info.adminEmail ?? 'unknown'})`);
    lines.push(`  Admin key    ${info.apiKey}`);
    lines.push('', '  Try it:');
    if (info.services.includes('ingest')) {
      lines.push(
        `    curl -s -X POST ${info.apiUrl}/events -H 'Authorization: Bearer ${info.apiKey}' \\`,
        `      -H 'Content-Type: application/json' -d '{"event_type":"demo.hello","payload":{"hello":"world"}}'`,
      );
    } else {
      // Until ingest runs, the demo key's first use is listing the tenant's keys.
      lines.push(`    curl -s ${info.apiUrl}/keys -H 'Authorization: Bearer ${info.apiKey}'`);
    }
  } else {
    lines.push('', '  Demo tenant  not seeded:');
    for (const reason of info.missing) lines.push(`    - ${reason}`);
    lines.push('', `  Try it:  curl -s ${info.apiUrl}/status`);
  }
  if (info.stripeWebhookSecret) {
    lines.push(
      '',
      `  Stripe       ${info.apiUrl}/billing/stripe/webhook, signing secret ${info.stripeWebhookSecret}`,
    );
    lines.push('    npx switchyard stripe trigger checkout.session.completed --email you@example.com');
  }
  if (info.agent) {
    const model =
      info.agent.provider === 'stand-in'
        ? `the stand-in model (${info.agent.model}): deterministic, shipped for local use, no account`
        : `${info.agent.provider} ${info.agent.model}`;
    lines.push(
      '',
      `  Agent        POST ${info.agent.streamUrl} (server-sent events)`,
      `    model      ${model}`,
    );
  }
  lines.push('', `  ${formatAlarmStatus(info.alarms)}`);
  lines.push('', `  Facts for scripts: ${devJsonPath}    Stop: Ctrl-C`, rule);
  return lines.join('\n');
}

/**
 * The banner's DLQ alarm line, also printed again whenever an alarm changes state, so a terminal
 * running `npm start` shows the current status without scrolling back to the banner.
 */
export function formatAlarmStatus(alarms: AlarmState[]): string {
  const queues = alarms.filter((alarm) => alarm.queue !== undefined);
  const alarming = queues.filter((alarm) => alarm.state === 'ALARM');
  const line = alarming.length
    ? `DLQ alarms   ${alarming.map((a) => `${a.queue} (${a.depth})`).join(', ')}; see docs/runbooks/dlq.md`
    : `DLQ alarms   none firing (${queues.length} watched)`;
  const functions = alarms.filter((alarm) => alarm.functionName !== undefined);
  if (functions.length === 0) return line;
  const failing = functions.filter((alarm) => alarm.state === 'ALARM');
  return `${line}\n  Function alarms  ${
    failing.length
      ? `${failing.map((a) => a.name).join(', ')}; see \`npx switchyard status\``
      : `none firing (${functions.length} watched)`
  }`;
}
