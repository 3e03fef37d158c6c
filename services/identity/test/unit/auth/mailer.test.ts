import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { renderSignInEmail, sesMailer } from '../../../src/adapters/mailer';

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
