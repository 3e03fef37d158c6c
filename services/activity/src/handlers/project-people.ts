/** identity's people events (bus rule → `activity-<stage>-people`) into activity's projection. */
import { ProfileUpdated, UserCreated, UserRemoved, UserUpdated } from '@switchyard/contracts';
import { createSqsConsumer } from '@switchyard/runtime';
import { peopleDeps } from '../app/deps';
import { projectPerson } from '../app/people';

export const handler = createSqsConsumer({
  contract: [UserCreated, UserUpdated, UserRemoved, ProfileUpdated],
  handleMessage: (message, { contract }) => projectPerson(message, contract.detailType, peopleDeps()),
});
