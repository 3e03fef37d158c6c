/**
 * SES's mailbox simulator, which aws-ses-v2-local lacks: mail sent with a configuration set to
 * `bounce@simulator.amazonses.com` or `complaint@simulator.amazonses.com` (also with a `+label`, as
 * SES allows, so tests can tell their addresses apart) produces the bounce or complaint event SES
 * publishes to that set's SNS event destinations, in SES's shape (eventType, bounce/complaint,
 * mail). The local cloud learns the destinations from what it provisioned
 * (`AWS::SES::ConfigurationSetEventDestination`) and publishes through the local SNS, whose SQS
 * subscribers receive SNS's usual envelope.
 */
import { randomUUID } from 'node:crypto';

export const SIMULATOR_DOMAIN = 'simulator.amazonses.com';
export const SIMULATOR_BOUNCE = `bounce@${SIMULATOR_DOMAIN}`;
export const SIMULATOR_COMPLAINT = `complaint@${SIMULATOR_DOMAIN}`;

/** One SES event destination publishing to SNS. */
export interface SesSnsDestination {
  configurationSetName: string;
  topicArn: string;
  /** Lowercase SES event types it matches (`bounce`, `complaint`, ...); empty means none. */
  eventTypes: string[];
  enabled: boolean;
}

export interface SentEmail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  configurationSetName?: string;
}

export interface SimulatedEvent {
  topicArn: string;
  /** The SES event JSON, as SNS's `Message`. */
  message: string;
}

const bareAddress = (address: string) => (/<([^>]+)>/.exec(address)?.[1] ?? address).trim().toLowerCase();

/** `bounce`, `complaint` or nothing: what the simulator does with mail to this address. */
export function simulatorOutcome(address: string): 'bounce' | 'complaint' | undefined {
  const match = /^(bounce|complaint)(\+[^@]*)?@simulator\.amazonses\.com$/.exec(bareAddress(address));
  return match?.[1] as 'bounce' | 'complaint' | undefined;
}

/** The SES events one sent e-mail produces (none unless it went to a simulator address). */
export function simulatedEvents(
  sent: SentEmail,
  destinations: readonly SesSnsDestination[],
  now: Date = new Date(),
): SimulatedEvent[] {
  if (!sent.configurationSetName) return [];
  const at = now.toISOString();
  const mail = {
    timestamp: at,
    source: sent.from,
    sendingAccountId: '000000000000',
    messageId: sent.messageId,
    destination: sent.to,
    headersTruncated: false,
    commonHeaders: { from: [sent.from], to: sent.to, messageId: sent.messageId, subject: sent.subject },
    tags: { 'ses:configuration-set': [sent.configurationSetName] },
  };
  const bounced = sent.to.map(bareAddress).filter((a) => simulatorOutcome(a) === 'bounce');
  const complained = sent.to.map(bareAddress).filter((a) => simulatorOutcome(a) === 'complaint');
  const events: { type: string; body: Record<string, unknown> }[] = [];
  if (bounced.length > 0)
    events.push({
      type: 'bounce',
      body: {
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: bounced.map((emailAddress) => ({
            emailAddress,
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: 'smtp; 550 5.1.1 user unknown',
          })),
          timestamp: at,
          feedbackId: randomUUID(),
          reportingMTA: 'dsn; local-cloud.simulator',
        },
        mail,
      },
    });
  if (complained.length > 0)
    events.push({
      type: 'complaint',
      body: {
        eventType: 'Complaint',
        complaint: {
          complainedRecipients: complained.map((emailAddress) => ({ emailAddress })),
          timestamp: at,
          feedbackId: randomUUID(),
          complaintFeedbackType: 'abuse',
          userAgent: 'local-cloud simulator',
          arrivalDate: at,
        },
        mail,
      },
    });
  return events.flatMap((event) =>
    destinations
      .filter(
        (d) =>
          d.enabled &&
          d.configurationSetName === sent.configurationSetName &&
          d.eventTypes.includes(event.type),
      )
      .map((d) => ({ topicArn: d.topicArn, message: JSON.stringify(event.body) })),
  );
}
