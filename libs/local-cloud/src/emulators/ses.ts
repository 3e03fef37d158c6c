import type { Server } from 'node:http';
import sesServer from 'aws-ses-v2-local';
import { LOOPBACK, endpointOf } from './ports';
import type { EmulatorOptions, RunningEmulator } from './ports';

export interface RunningSes extends RunningEmulator {
  /** Web page listing received e-mails. */
  mailboxUrl: string;
}

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
 * Starts aws-ses-v2-local (SES v1 Query API and v2 REST API) on 127.0.0.1. Its mailbox is a module
 * global, so every instance in one process shares it.
 */
export async function startSes(options: EmulatorOptions = {}): Promise<RunningSes> {
  const host = options.host ?? LOOPBACK;
  const http: Server = await sesServer({ host, port: options.port ?? 0 });
  const address = http.address();
  if (!address || typeof address === 'string') throw new Error('SES emulator has no TCP address');
  const endpoint = endpointOf(host, address.port);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= new Promise<void>((resolve, reject) => {
      http.close((error) => (error ? reject(error) : resolve()));
      // Keep-alive sockets of SDK clients would hold close() open.
      http.closeAllConnections();
    }));
  return { endpoint, port: address.port, mailboxUrl: `${endpoint}/`, stop };
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
