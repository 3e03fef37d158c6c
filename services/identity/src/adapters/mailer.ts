/**
 * Sends the sign-in code through SES (local mode; on AWS, Cognito sends its own e-mail). The code
 * appears only in the message itself: never in logs, errors or return values.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { sesV2Client } from '@switchyard/runtime';

export interface SignInEmail {
  subject: string;
  text: string;
  html: string;
}

export function renderSignInEmail(code: string, expiresInMinutes: number): SignInEmail {
  if (!/^[0-9]{6}$/.test(code)) throw new RangeError('a sign-in code is 6 digits');
  return {
    subject: `Your Switchyard sign-in code: ${code}`,
    text: [
      `Your Switchyard sign-in code is ${code}.`,
      '',
      `It expires in ${expiresInMinutes} minutes and works once.`,
      'If you did not ask to sign in, you can ignore this e-mail.',
    ].join('\n'),
    html: [
      '<!doctype html><html><body style="font-family:sans-serif">',
      '<p>Your Switchyard sign-in code is</p>',
      `<p style="font-size:28px;font-weight:bold;letter-spacing:4px">${code}</p>`,
      `<p>It expires in ${expiresInMinutes} minutes and works once.</p>`,
      '<p style="color:#666">If you did not ask to sign in, you can ignore this e-mail.</p>',
      '</body></html>',
    ].join(''),
  };
}

export interface Mailer {
  sendSignInCode(to: string, code: string, expiresInMinutes: number): Promise<void>;
}

/** SES v2 SendEmail with a plain-text and an HTML part. */
export function sesMailer(options: { from: string; client?: SESv2Client }): Mailer {
  return {
    async sendSignInCode(to, code, expiresInMinutes) {
      const email = renderSignInEmail(code, expiresInMinutes);
      await (options.client ?? sesV2Client()).send(
        new SendEmailCommand({
          FromEmailAddress: options.from,
          Destination: { ToAddresses: [to] },
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: email.text, Charset: 'UTF-8' },
                Html: { Data: email.html, Charset: 'UTF-8' },
              },
            },
          },
        }),
      );
    },
  };
}
