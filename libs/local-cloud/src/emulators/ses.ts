import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as SesServerModule from 'aws-ses-v2-local';
import { LOOPBACK, endpointOf } from './ports';
import type { EmulatorOptions, RunningEmulator } from './ports';
import { simulatedEvents } from './ses-simulator';
import type { SentEmail, SesSnsDestination, SimulatedEvent } from './ses-simulator';

export interface RunningSes extends RunningEmulator {
  /** Web page listing received e-mails. */
  mailboxUrl: string;
  /** Loads the emulator behind the front now, if no request has yet (its first request waits). */
  warm(): void;
  /**
   * Where the mailbox simulator's bounce and complaint events go (./ses-simulator.ts): the
   * configuration sets' SNS destinations (known after provisioning) and how to publish to SNS.
   */
  routeSimulatorEvents(
    destinations: readonly SesSnsDestination[],
    publish: (event: SimulatedEvent) => Promise<void>,
  ): void;
}

/** What SES v2 SendEmail's JSON names, enough for the simulator. */
interface SendEmailBody {
  FromEmailAddress?: string;
  ConfigurationSetName?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  Content?: { Simple?: { Subject?: { Data?: string } } };
}

function sentEmailOf(body: string, response: string): SentEmail | undefined {
  try {
    const request = JSON.parse(body) as SendEmailBody;
    const answer = JSON.parse(response) as { MessageId?: string };
    const d = request.Destination ?? {};
    return {
      messageId: answer.MessageId ?? 'unknown',
      from: request.FromEmailAddress ?? '',
      to: [...(d.ToAddresses ?? []), ...(d.CcAddresses ?? []), ...(d.BccAddresses ?? [])],
      subject: request.Content?.Simple?.Subject?.Data ?? '',
      ...(request.ConfigurationSetName ? { configurationSetName: request.ConfigurationSetName } : {}),
    };
  } catch {
    return undefined;
  }
}

const readAll = async (stream: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** One e-mail as aws-ses-v2-local stores it (GET /store). */
export interface LocalEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  /** Custom headers of Simple and Template content (not kept for Raw MIME). */
  headers?: { name: string; value: string }[];
  /** Epoch seconds. */
  at: number;
}

/**
 * Starts aws-ses-v2-local (SES v1 Query API and v2 REST API) on 127.0.0.1 behind a small
 * pass-through front that adds SES's mailbox simulator (./ses-simulator.ts) to v2 SendEmail. Its
 * mailbox is a module global, so every instance in one process shares it.
 */
export async function startSes(options: EmulatorOptions = {}): Promise<RunningSes> {
  const host = options.host ?? LOOPBACK;
  // aws-ses-v2-local takes about 0.4 s of CPU to load. The front answers at once; the emulator
  // behind it is loaded by the first request, or by `warm()` once the cloud is ready, so that load
  // never competes with the JVM of DynamoDB Local, which every start waits for.
  let inner: Promise<Server> | undefined;
  let stopping: Promise<void> | undefined;
  const innerServer = () =>
    (inner ??= (async () => {
      if (stopping) throw new Error('the SES emulator is stopping');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { default: sesServer } = require('aws-ses-v2-local') as typeof SesServerModule;
      return sesServer({ host, port: 0 });
    })());
  let destinations: readonly SesSnsDestination[] = [];
  let publish: ((event: SimulatedEvent) => Promise<void>) | undefined;

  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readAll(req);
    const innerPort = ((await innerServer()).address() as AddressInfo).port;
    const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
      const out = httpRequest(
        { host, port: innerPort, method: req.method, path: req.url, headers: req.headers },
        resolve,
      );
      out.on('error', reject);
      out.end(body);
    });
    const answer = await readAll(upstream);
    res.writeHead(upstream.statusCode ?? 502, upstream.headers);
    res.end(answer);
    const isSendEmail = req.method === 'POST' && (req.url ?? '').startsWith('/v2/email/outbound-emails');
    if (!isSendEmail || upstream.statusCode !== 200 || !publish) return;
    const sent = sentEmailOf(body.toString('utf8'), answer.toString('utf8'));
    // SES reports bounces and complaints a moment after accepting the mail, never in its answer.
    for (const event of sent ? simulatedEvents(sent, destinations) : [])
      await publish(event).catch(() => undefined);
  };
  const front = createServer((req, res) => {
    forward(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port ?? 0, host, resolve);
  });
  const port = (front.address() as AddressInfo).port;
  const endpoint = endpointOf(host, port);
  const close = (server: Server) =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Keep-alive sockets of SDK clients would hold close() open.
      server.closeAllConnections();
    });
  const stop = (): Promise<void> =>
    (stopping ??= Promise.all([close(front), inner?.then(close, () => undefined)]).then(() => undefined));
  return {
    endpoint,
    port,
    mailboxUrl: `${endpoint}/`,
    stop,
    warm: () => void innerServer().catch(() => undefined),
    routeSimulatorEvents(next, publisher) {
      destinations = next;
      publish = publisher;
    },
  };
}

/** E-mails the local SES received (optionally since an epoch second), read from its JSON store. */
export async function listEmails(endpoint: string, sinceEpochSeconds?: number): Promise<LocalEmail[]> {
  const url = new URL('/store', endpoint);
  if (sinceEpochSeconds !== undefined) url.searchParams.set('since', String(Math.floor(sinceEpochSeconds)));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`SES store ${url} answered ${response.status}`);
  const body = (await response.json()) as { emails: LocalEmail[] };
  return body.emails;
}

/** Empties the local mailbox (and templates). */
export async function clearEmails(endpoint: string): Promise<void> {
  const response = await fetch(new URL('/clear-store', endpoint), { method: 'POST' });
  if (!response.ok) throw new Error(`SES clear-store answered ${response.status}`);
}
