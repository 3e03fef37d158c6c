/**
 * SES bounce and complaint notifications (a configuration set's event destination → SNS → SQS):
 * which addresses to suppress. Permanent bounces and complaints suppress; transient bounces do not
 * (a full mailbox today may take mail tomorrow). SES's own JSON, not a Switchyard contract.
 */
import { z } from 'zod';

const recipient = z.object({ emailAddress: z.string().min(3).max(320) });

/** Both shapes SES uses: `eventType` (configuration set events) and `notificationType` (identity feedback). */
export const sesFeedback = z.object({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  bounce: z
    .object({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(recipient),
    })
    .optional(),
  complaint: z
    .object({
      complainedRecipients: z.array(recipient),
      complaintFeedbackType: z.string().optional(),
    })
    .optional(),
});
export type SesFeedback = z.infer<typeof sesFeedback>;

export interface Suppression {
  /** Lowercase: addresses are compared without case. */
  email: string;
  reason: 'bounce' | 'complaint';
  detail: string;
}

export const normalEmail = (email: string) => email.trim().toLowerCase();

export function suppressionsOf(feedback: SesFeedback): Suppression[] {
  const type = feedback.eventType ?? feedback.notificationType;
  if (type === 'Bounce' && feedback.bounce?.bounceType === 'Permanent') {
    const detail = feedback.bounce.bounceSubType ?? 'General';
    return feedback.bounce.bouncedRecipients.map((r) => ({
      email: normalEmail(r.emailAddress),
      reason: 'bounce',
      detail,
    }));
  }
  if (type === 'Complaint' && feedback.complaint) {
    const detail = feedback.complaint.complaintFeedbackType ?? 'abuse';
    return feedback.complaint.complainedRecipients.map((r) => ({
      email: normalEmail(r.emailAddress),
      reason: 'complaint',
      detail,
    }));
  }
  return [];
}

/** The SES message inside an SNS notification (raw delivery off: SNS wraps it in `Message`). */
export function unwrapSns(body: string): unknown {
  const outer = JSON.parse(body) as { Type?: string; Message?: unknown };
  if (outer.Type === 'Notification' && typeof outer.Message === 'string') return JSON.parse(outer.Message);
  return outer;
}
