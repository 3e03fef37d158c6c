/**
 * SES v2 SendEmail with Simple content: a text and an HTML part and the headers one-click
 * unsubscribe needs (SES keeps custom headers for Simple content; the local mailbox shows them).
 * Throttling is the SDK's to retry: its standard retry strategy backs off on SES's throttling errors
 * with jitter, up to `maxAttempts`; what still fails is thrown and the message retried by its queue.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { sesV2Client } from '@switchyard/runtime';
import type { RenderedEmail } from '../domain/render';

export interface OutgoingEmail extends RenderedEmail {
  to: string;
  /** The From display name (the tenant's name). */
  fromName: string;
  headers?: { name: string; value: string }[];
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
}

/** `"Acme" <notifications@…>`, the display name quoted (RFC 5322) and kept to safe characters. */
export function fromHeader(name: string, address: string): string {
  const safe =
    name
      .replace(/["\\\r\n]/g, '')
      .slice(0, 64)
      .trim() || 'Switchyard';
  return `"${safe}" <${address}>`;
}

export function sesMailer(options: {
  from: string;
  /** SES's configuration set: its event destination reports bounces and complaints. */
  configurationSetName?: string;
  client?: () => SESv2Client;
}): Mailer {
  return {
    async send(email) {
      await (options.client ?? sesV2Client)().send(
        new SendEmailCommand({
          FromEmailAddress: fromHeader(email.fromName, options.from),
          ...(options.configurationSetName ? { ConfigurationSetName: options.configurationSetName } : {}),
          Destination: { ToAddresses: [email.to] },
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: email.text, Charset: 'UTF-8' },
                Html: { Data: email.html, Charset: 'UTF-8' },
              },
              ...(email.headers?.length
                ? { Headers: email.headers.map((h) => ({ Name: h.name, Value: h.value })) }
                : {}),
            },
          },
        }),
      );
    },
  };
}

export { SESv2Client };
