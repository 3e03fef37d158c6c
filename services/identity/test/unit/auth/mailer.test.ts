import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { renderInvitationEmail, renderSignInEmail, sesMailer } from '../../../src/adapters/mailer';

describe('sesMailer', () => {
  it('sends the code in a text and an HTML part from the configured address', async () => {
    const client = new SESv2Client({ region: 'us-east-1' });
    const ses = mockClient(client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await sesMailer({ from: 'no-reply@switchyard.local', client }).sendSignInCode(
      'ann@example.com',
      '042917',
      10,
    );
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.FromEmailAddress).toBe('no-reply@switchyard.local');
    expect(input?.Destination?.ToAddresses).toEqual(['ann@example.com']);
    expect(input?.Content?.Simple?.Body?.Text?.Data).toContain('042917');
    expect(input?.Content?.Simple?.Body?.Html?.Data).toContain('042917');
    expect(input?.Content?.Simple?.Body?.Text?.Data).toContain('10 minutes');
  });

  it('refuses to render anything but a 6-digit code', () => {
    expect(() => renderSignInEmail('<script>', 10)).toThrow(RangeError);
  });
});

describe('invitations', () => {
  it('says who invited the person to which tenant and how to sign in, through SES, with no secret', async () => {
    const client = new SESv2Client({ region: 'us-east-1' });
    const ses = mockClient(client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
    await sesMailer({ from: 'no-reply@switchyard.local', client }).sendInvitation({
      to: 'bo@example.com',
      inviter: 'Ada',
      tenantName: 'Acme',
      signIn: { kind: 'app', url: 'https://app.example.com/sign-in' },
    });
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Destination?.ToAddresses).toEqual(['bo@example.com']);
    expect(input?.Content?.Simple?.Subject?.Data).toBe('Ada invited you to Acme on Switchyard');
    expect(input?.Content?.Simple?.Body?.Text?.Data).toContain(
      'Sign in at https://app.example.com/sign-in with this address (bo@example.com).',
    );
  });

  it("names the API's sign-in routes where there is no app, and an administrator when no person invited", () => {
    const email = renderInvitationEmail({
      to: 'bo@example.com',
      tenantName: 'Acme',
      signIn: { kind: 'api', baseUrl: 'http://127.0.0.1:3000' },
    });
    expect(email.subject).toBe('An administrator of Acme invited you to Acme on Switchyard');
    expect(email.text).toContain('POST http://127.0.0.1:3000/auth/login with {"email": "bo@example.com"}');
    expect(email.text).toContain('POST http://127.0.0.1:3000/auth/verify');
  });

  it("escapes other people's names in the HTML part", () => {
    const email = renderInvitationEmail({
      to: 'bo@example.com',
      inviter: '<img src=x onerror=alert(1)>',
      tenantName: 'A & <B>',
      signIn: { kind: 'api' },
    });
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.html).toContain('A &amp; &lt;B&gt;');
    expect(email.html).not.toContain('<img');
  });
});
