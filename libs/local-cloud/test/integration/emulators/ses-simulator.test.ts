// The local SES with its mailbox simulator: SDK v2 SendEmail passes through to aws-ses-v2-local
// (the mailbox keeps the mail and its headers); mail to a simulator address, sent with a
// configuration set, is followed by the SES event that set's SNS destinations would receive.
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { listEmails, startSes } from '../../../src/emulators/ses';
import type { RunningSes } from '../../../src/emulators/ses';
import type { SimulatedEvent } from '../../../src/emulators/ses-simulator';
import { eventually } from '../../../src/testing';

let ses: RunningSes;
let client: SESv2Client;
const published: SimulatedEvent[] = [];
const run = Date.now().toString(36);

beforeAll(async () => {
  ses = await startSes();
  ses.routeSimulatorEvents(
    [
      {
        configurationSetName: 'cs',
        topicArn: 'arn:aws:sns:us-east-1:0:feedback',
        eventTypes: ['bounce'],
        enabled: true,
      },
    ],
    async (event) => void published.push(event),
  );
  client = new SESv2Client({
    endpoint: ses.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  client?.destroy();
  await ses?.stop();
});

const send = (to: string, configurationSetName?: string) =>
  client.send(
    new SendEmailCommand({
      FromEmailAddress: '"Acme" <n@example.com>',
      Destination: { ToAddresses: [to] },
      ...(configurationSetName ? { ConfigurationSetName: configurationSetName } : {}),
      Content: {
        Simple: {
          Subject: { Data: `hello ${run}` },
          Body: { Text: { Data: 'hi' } },
          Headers: [{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' }],
        },
      },
    }),
  );

describe('the local SES and its mailbox simulator', () => {
  it('keeps ordinary mail with its headers and reports nothing', async () => {
    const { MessageId } = await send(`ada-${run}@example.com`, 'cs');
    const stored = (await listEmails(ses.endpoint)).find((m) => m.messageId === MessageId);
    expect(stored?.headers).toEqual([{ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' }]);
    expect(published).toEqual([]);
  });

  it('follows mail to a bounce address with the bounce event, on the set it was sent with only', async () => {
    await send(`bounce+${run}@simulator.amazonses.com`);
    expect(published).toEqual([]);
    const { MessageId } = await send(`bounce+${run}@simulator.amazonses.com`, 'cs');
    // SES reports after accepting the mail, not in its answer.
    await eventually(async () => (published.length > 0 ? true : undefined), { timeoutMs: 5_000 });
    expect(published).toHaveLength(1);
    expect(published[0]!.topicArn).toBe('arn:aws:sns:us-east-1:0:feedback');
    expect(JSON.parse(published[0]!.message)).toMatchObject({
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bouncedRecipients: [{ emailAddress: `bounce+${run}@simulator.amazonses.com` }],
      },
      mail: { messageId: MessageId },
    });
  });
});

describe('the emulator behind the front, loaded on first use', () => {
  const listeningServers = () =>
    process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;

  it('answers the mailbox page on its first request, with nothing warmed before', async () => {
    const cold = await startSes();
    try {
      const page = await fetch(cold.mailboxUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
    } finally {
      await cold.stop();
    }
  });

  it('starts nothing when warmed after it was stopped', async () => {
    // Closed servers leave the list a moment after their close.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = listeningServers();
    const stopped = await startSes();
    expect(listeningServers()).toBe(before + 1);
    await stopped.stop();
    stopped.warm();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(listeningServers()).toBe(before);
  });
});
