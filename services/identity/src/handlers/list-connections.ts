import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { callerFromEvent } from '../adapters/profile-store';
import { listConnections } from '../app/connections';
import { connectionDeps, profileStore } from '../app/deps';

/** GET /connections (people authorizer): the caller's connections, never their tokens. */
export const handler = createHttpHandler({
  handler: async ({ event }) => {
    const caller = await callerFromEvent(event, profileStore());
    return jsonResponse(200, { items: await listConnections(connectionDeps(), caller) });
  },
});
