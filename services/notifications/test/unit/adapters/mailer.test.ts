// The SES mailer against a stand-in SES (a real HTTP server on loopback): what SendEmail carries,
// and SES's throttling answered with the SDK's backoff and retry.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client, fromHeader, sesMailer } from '../../../src/adapters/mailer';

async function fakeSes(answers: number[]) {
  const requests: { body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ body: JSON.parse(Buffer.concat(chunks).toString()) });
      const status = answers[requests.length - 1] ?? 200;
      if (status === 429) {
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'TooManyRequestsException',
        });
        res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ MessageId: `m${requests.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new SESv2Client({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    retryMode: 'standard',
    maxAttempts: 3,
  });
  return {
    requests,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const email = {
  to: 'ada@example.com',
  fromName: 'Acme "Tools"\r\nBcc: x',
  subject: 'Hello',
  text: 'hi',
  html: '<p>hi</p>',
  headers: [{ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' }],
};

describe('the SES mailer', () => {
  it('sends Simple content with the headers, the configuration set and a safe From', async () => {
    const ses = await fakeSes([200]);
    try {
      await sesMailer({ from: 'n@example.com', configurationSetName: 'cs', client: () => ses.client }).send(
        email,
      );
      expect(ses.requests).toHaveLength(1);
      expect(ses.requests[0]!.body).toMatchObject({
        FromEmailAddress: '"Acme ToolsBcc: x" <n@example.com>',
        ConfigurationSetName: 'cs',
        Destination: { ToAddresses: ['ada@example.com'] },
        Content: {
          Simple: { Headers: [{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' }] },
        },
      });
      expect(fromHeader('', 'n@example.com')).toBe('"Switchyard" <n@example.com>');
    } finally {
      await ses.close();
    }
  });

  it('retries (the SDK backs off) when SES throttles, and gives up (for the queue to retry) when it keeps on', async () => {
    const recovering = await fakeSes([429, 429, 200]);
    try {
      await sesMailer({ from: 'n@example.com', client: () => recovering.client }).send(email);
      expect(recovering.requests).toHaveLength(3);
    } finally {
      await recovering.close();
    }
    const throttled = await fakeSes([429, 429, 429, 429]);
    try {
      await expect(
        sesMailer({ from: 'n@example.com', client: () => throttled.client }).send(email),
      ).rejects.toMatchObject({ name: 'TooManyRequestsException' });
      expect(throttled.requests).toHaveLength(3);
    } finally {
      await throttled.close();
    }
  });
});
