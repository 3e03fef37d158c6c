/**
 * activity's PersonActivityChanged (bus rule → `identity-<stage>-person-activity`): a person's
 * commentCount and lastActiveAt, kept for their profile (../app/profiles.ts).
 */
import { PersonActivityChanged } from '@switchyard/contracts';
import { createSqsConsumer, logger } from '@switchyard/runtime';
import { profileStore } from '../app/deps';
import { projectPersonActivity } from '../app/profiles';

export const handler = createSqsConsumer({
  contract: PersonActivityChanged,
  handleMessage: async (message) => {
    const outcome = await projectPersonActivity(profileStore(), message);
    logger.info('person_activity', {
      userId: message.userId,
      countersVersion: message.countersVersion,
      outcome,
    });
  },
});
