/**
 * identity's e-mails through SES: the sign-in code (local mode; on AWS, Cognito sends its own) and
 * the invitation a person gets when a tenant admin adds them (both modes). The code appears only in
 * the message itself: never in logs, errors or return values. An invitation holds no secret: it
 * says who invited the person to which tenant and how to sign in.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { sesV2Client, sesV2Sdk } from '@switchyard/runtime';
import escapeHtml from 'escape-html';

/** An e-mail's subject and its two bodies. */
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

/** Where an invited person signs in: the web app, or (no app on this stage) the API's route. */
export type SignInPlace = { kind: 'app'; url: string } | { kind: 'api'; baseUrl?: string };

export interface Invitation {
  to: string;
  /** The inviter's display name or e-mail; undefined when no person invited (an operator, a key without owner). */
  inviter?: string;
  tenantName: string;
  signIn: SignInPlace;
}

/** The invitation, in plain text and HTML (names escaped: they are other people's input). */
export function renderInvitationEmail(invitation: Invitation): SignInEmail {
  const who = invitation.inviter ?? `An administrator of ${invitation.tenantName}`;
  const { signIn, to } = invitation;
  const steps =
    signIn.kind === 'app'
      ? [`Sign in at ${signIn.url} with this address (${to}).`]
      : [
          `Ask for a code: POST ${signIn.baseUrl ?? ''}/auth/login with {"email": "${to}"}.`,
          `Then exchange it: POST ${signIn.baseUrl ?? ''}/auth/verify with {"email": "${to}", "code": "<the code>"}.`,
        ];
  const text = [
    `${who} invited you to join ${invitation.tenantName} on Switchyard.`,
    '',
    'You sign in with a 6-digit code we e-mail you each time; there is no password.',
    ...steps,
    '',
    'If you did not expect this invitation, you can ignore this e-mail.',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p>${escapeHtml(who)} invited you to join <strong>${escapeHtml(invitation.tenantName)}</strong> on Switchyard.</p>`,
    '<p>You sign in with a 6-digit code we e-mail you each time; there is no password.</p>',
    ...steps.map((step) => `<p>${escapeHtml(step)}</p>`),
    '<p style="color:#666">If you did not expect this invitation, you can ignore this e-mail.</p>',
    '</body></html>',
  ].join('');
  return { subject: `${who} invited you to ${invitation.tenantName} on Switchyard`, text, html };
}

export interface Mailer {
  sendSignInCode(to: string, code: string, expiresInMinutes: number): Promise<void>;
  sendInvitation(invitation: Invitation): Promise<void>;
}

/** SES v2 SendEmail with a plain-text and an HTML part. */
export function sesMailer(options: { from: string; client?: SESv2Client }): Mailer {
  const send = async (to: string, email: SignInEmail) => {
    await (options.client ?? sesV2Client()).send(
      new (sesV2Sdk().SendEmailCommand)({
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
  };
  return {
    sendSignInCode: (to, code, expiresInMinutes) => send(to, renderSignInEmail(code, expiresInMinutes)),
    sendInvitation: (invitation) => send(invitation.to, renderInvitationEmail(invitation)),
  };
}
