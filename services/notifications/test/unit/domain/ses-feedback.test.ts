import { sesFeedback, suppressionsOf, unwrapSns } from '../../../src/domain/ses-feedback';

const inSns = (message: unknown) =>
  JSON.stringify({ Type: 'Notification', MessageId: 'm', Message: JSON.stringify(message) });
const parse = (body: string) => suppressionsOf(sesFeedback.parse(unwrapSns(body)));

describe('SES feedback', () => {
  it('suppresses permanently bounced addresses, lowercased', () => {
    const body = inSns({
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'NoEmail',
        bouncedRecipients: [{ emailAddress: 'Ada@Example.com' }, { emailAddress: 'bob@example.com' }],
      },
      mail: { messageId: 'x' },
    });
    expect(parse(body)).toEqual([
      { email: 'ada@example.com', reason: 'bounce', detail: 'NoEmail' },
      { email: 'bob@example.com', reason: 'bounce', detail: 'NoEmail' },
    ]);
  });

  it('does not suppress transient or undetermined bounces', () => {
    for (const bounceType of ['Transient', 'Undetermined'])
      expect(
        parse(
          inSns({
            eventType: 'Bounce',
            bounce: { bounceType, bouncedRecipients: [{ emailAddress: 'ada@example.com' }] },
          }),
        ),
      ).toEqual([]);
  });

  it('suppresses complaints, in both of SES shapes, raw or in SNS', () => {
    const complaint = {
      notificationType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: 'ada@example.com' }] },
    };
    expect(parse(JSON.stringify(complaint))).toEqual([
      { email: 'ada@example.com', reason: 'complaint', detail: 'abuse' },
    ]);
    expect(parse(inSns({ ...complaint, notificationType: undefined, eventType: 'Complaint' }))).toHaveLength(
      1,
    );
  });

  it('ignores deliveries and other events, and refuses what is not SES feedback', () => {
    expect(parse(inSns({ eventType: 'Delivery', delivery: {} }))).toEqual([]);
    expect(() => parse('not json')).toThrow();
    expect(() =>
      parse(inSns({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: 'x' } })),
    ).toThrow();
  });
});
