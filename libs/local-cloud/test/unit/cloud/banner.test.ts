import { formatAlarmStatus, formatBanner } from '../../../src/banner';
import type { DevInfo } from '../../../src/dev-info';

const base: DevInfo = {
  apiUrl: 'http://127.0.0.1:3000',
  mailboxUrl: 'http://127.0.0.1:8005/',
  region: 'us-east-1',
  stage: 'local',
  accountId: '000000000000',
  endpoints: {
    dynamodb: 'http://127.0.0.1:1',
    sqs: 'http://127.0.0.1:2',
    sns: 'http://127.0.0.1:2',
    s3: 'http://127.0.0.1:2',
    ses: 'http://127.0.0.1:8005',
    events: 'http://127.0.0.1:3',
  },
  tenantId: null,
  apiKey: null,
  adminEmail: null,
  services: ['ingest'],
  missing: ['the identity service is not built yet'],
  alarms: [],
  pid: 1,
  startedAt: '2026-11-22T00:00:00.000Z',
  readyInMs: 4200,
};

describe('formatBanner', () => {
  it('shows the API, the mailbox and every emulator endpoint', () => {
    const text = formatBanner(base);
    expect(text).toContain('http://127.0.0.1:3000');
    expect(text).toContain('http://127.0.0.1:8005/');
    for (const url of Object.values(base.endpoints)) expect(text).toContain(url);
    expect(text).toContain('ready in 4.2 s');
  });

  it('says why there is no demo tenant instead of printing a curl with no key', () => {
    const text = formatBanner(base);
    expect(text).toContain('the identity service is not built yet');
    expect(text).not.toContain('Authorization: Bearer');
  });

  it('prints a copy-paste curl with the demo key once a tenant is seeded', () => {
    const text = formatBanner({
      ...base,
      tenantId: 'ten_1',
      apiKey: 'sy_live_abc_def',
      adminEmail: 'a@b.c',
      missing: [],
    });
    expect(text).toContain(
      "curl -s -X POST http://127.0.0.1:3000/events -H 'Authorization: Bearer sy_live_abc_def'",
    );
    expect(text).toContain('ten_1');
  });

  it("shows billing's webhook and its signing secret when billing runs, nothing about Stripe otherwise", () => {
    expect(formatBanner(base)).not.toContain('whsec_');
    const text = formatBanner({ ...base, stripeWebhookSecret: 'whsec_abc' });
    expect(text).toContain('http://127.0.0.1:3000/billing/stripe/webhook, signing secret whsec_abc');
    expect(text).toContain('npx switchyard stripe trigger checkout.session.completed');
  });

  it('says which model the agent uses when it runs, and names the stand-in as such', () => {
    expect(formatBanner(base)).not.toContain('Agent');
    const standIn = formatBanner({
      ...base,
      agent: {
        streamUrl: 'http://127.0.0.1:3000/agent/stream',
        provider: 'stand-in',
        model: 'switchyard-stand-in',
      },
    });
    expect(standIn).toContain('POST http://127.0.0.1:3000/agent/stream');
    expect(standIn).toContain('the stand-in model (switchyard-stand-in)');
    const ollama = formatBanner({
      ...base,
      agent: {
        streamUrl: 'http://127.0.0.1:3000/agent/stream',
        provider: 'openai-compatible',
        model: 'llama3.2',
      },
    });
    expect(ollama).toContain('openai-compatible llama3.2');
  });

  it('names the DLQs whose alarms fire', () => {
    const text = formatBanner({
      ...base,
      alarms: [
        { name: 'a', queue: 'delivery-local-dlq', depth: 3, value: 3, state: 'ALARM' },
        { name: 'b', queue: 'other-dlq', depth: 0, value: 0, state: 'OK' },
      ],
    });
    expect(text).toContain('delivery-local-dlq (3)');
    expect(text).not.toContain('other-dlq (0)');
  });

  it('has one status line for the DLQ alarms, printed again when they change', () => {
    expect(formatAlarmStatus([{ name: 'a', queue: 'q-dlq', depth: 2, value: 2, state: 'ALARM' }])).toBe(
      'DLQ alarms   q-dlq (2); see docs/runbooks/dlq.md',
    );
    expect(formatAlarmStatus([{ name: 'a', queue: 'q-dlq', depth: 0, value: 0, state: 'OK' }])).toBe(
      'DLQ alarms   none firing (1 watched)',
    );
  });

  it('offers a curl that works without ingest: listing the tenant’s keys', () => {
    const text = formatBanner({
      ...base,
      services: ['identity'],
      tenantId: 'ten_1',
      apiKey: 'sy_live_abc_def',
      adminEmail: 'a@b.c',
      missing: [],
    });
    expect(text).toContain("curl -s http://127.0.0.1:3000/keys -H 'Authorization: Bearer sy_live_abc_def'");
    expect(text).not.toContain('/events');
  });

  it('names the dev.json it wrote', () => {
    expect(formatBanner(base, '/tmp/state/dev.json')).toContain('Facts for scripts: /tmp/state/dev.json');
  });
});

describe('function alarms in the status line', () => {
  it('adds a line for the function alarms the local cloud evaluates', () => {
    const fn = { name: 'svc-local-work-errors', functionName: 'svc-local-work', metric: 'Errors' };
    expect(formatAlarmStatus([{ ...fn, value: 0, state: 'OK' }])).toBe(
      'DLQ alarms   none firing (0 watched)\n  Function alarms  none firing (1 watched)',
    );
    expect(formatAlarmStatus([{ ...fn, value: 2, state: 'ALARM' }])).toBe(
      'DLQ alarms   none firing (0 watched)\n  Function alarms  svc-local-work-errors; see `npx switchyard status`',
    );
  });
});
