import {
  SIMULATOR_BOUNCE,
  SIMULATOR_COMPLAINT,
  simulatedEvents,
  simulatorOutcome,
} from '../../../src/emulators/ses-simulator';

const destinations = [
  {
    configurationSetName: 'cs',
    topicArn: 'arn:topic:feedback',
    eventTypes: ['bounce', 'complaint'],
    enabled: true,
  },
  { configurationSetName: 'cs', topicArn: 'arn:topic:bounces-only', eventTypes: ['bounce'], enabled: true },
  { configurationSetName: 'other', topicArn: 'arn:topic:other', eventTypes: ['bounce'], enabled: true },
];
const sent = (to: string[], configurationSetName: string | null = 'cs') => ({
  messageId: 'm1',
  from: '"Acme" <n@example.com>',
  to,
  subject: 'hello',
  ...(configurationSetName ? { configurationSetName } : {}),
});

describe('SES mailbox simulator', () => {
  it('knows the simulator addresses, with or without a +label, and nothing else', () => {
    expect(simulatorOutcome(SIMULATOR_BOUNCE)).toBe('bounce');
    expect(simulatorOutcome('Bouncer <Bounce+run-1@simulator.amazonses.com>')).toBe('bounce');
    expect(simulatorOutcome('complaint+x@simulator.amazonses.com')).toBe('complaint');
    expect(simulatorOutcome('success@simulator.amazonses.com')).toBeUndefined();
    expect(simulatorOutcome('bounce@example.com')).toBeUndefined();
    expect(simulatorOutcome('bounce@simulator.amazonses.com.evil.com')).toBeUndefined();
  });

  it('a mail to a bounce address: a permanent bounce naming it, on every matching destination of its set', () => {
    const events = simulatedEvents(
      sent(['Bob <bounce+b1@simulator.amazonses.com>', 'ada@example.com']),
      destinations,
    );
    expect(events.map((e) => e.topicArn)).toEqual(['arn:topic:feedback', 'arn:topic:bounces-only']);
    expect(JSON.parse(events[0]!.message)).toMatchObject({
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bouncedRecipients: [{ emailAddress: 'bounce+b1@simulator.amazonses.com' }],
      },
      mail: { messageId: 'm1', tags: { 'ses:configuration-set': ['cs'] } },
    });
  });

  it('a mail to the complaint address: a complaint, only where complaints are matched', () => {
    const events = simulatedEvents(sent([SIMULATOR_COMPLAINT]), destinations);
    expect(events.map((e) => e.topicArn)).toEqual(['arn:topic:feedback']);
    expect(JSON.parse(events[0]!.message)).toMatchObject({
      eventType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: SIMULATOR_COMPLAINT }] },
    });
  });

  it('ordinary mail, mail without a configuration set, or disabled destinations: nothing', () => {
    expect(simulatedEvents(sent(['ada@example.com']), destinations)).toEqual([]);
    expect(simulatedEvents(sent([SIMULATOR_BOUNCE], null), destinations)).toEqual([]);
    expect(
      simulatedEvents(
        sent([SIMULATOR_BOUNCE]),
        destinations.map((d) => ({ ...d, enabled: false })),
      ),
    ).toEqual([]);
  });
});
