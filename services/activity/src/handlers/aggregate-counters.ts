/** The table's stream → commentCount per item, reactionCount per comment, lastActiveAt per person. */
import { createStreamConsumer } from '@switchyard/runtime';
import { aggregateChange } from '../app/aggregate';
import { aggregateDeps } from '../app/deps';

export const handler = createStreamConsumer({
  handleRecord: async (change, { record }) =>
    aggregateChange(
      {
        eventId: record.eventID ?? change.sequenceNumber,
        eventName: change.eventName,
        ...(change.oldImage ? { oldImage: change.oldImage } : {}),
        ...(change.newImage ? { newImage: change.newImage } : {}),
      },
      aggregateDeps(),
    ),
});
