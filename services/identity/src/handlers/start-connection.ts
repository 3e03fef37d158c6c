import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { callerFromEvent } from '../adapters/profile-store';
import { nonceCookie } from '../api-schemas';
import { startCallerConnection } from '../app/connections';
import { connectionDeps, profileStore } from '../app/deps';

/**
 * GET /connections/{provider}/start (people authorizer) → `{ authorizeUrl, expiresAt }`. The client
 * sends the browser to authorizeUrl; the provider comes back to /connections/{provider}/callback.
 */
export const handler = createHttpHandler({
  path: z.object({ provider: z.string().min(1).max(64) }),
  handler: async ({ path, event, headers }) => {
    const caller = await callerFromEvent(event, profileStore());
    const started = await startCallerConnection(connectionDeps(), {
      caller,
      provider: path.provider,
      headers,
      now: new Date(),
    });
    return jsonResponse(
      200,
      { authorizeUrl: started.authorizeUrl, expiresAt: started.expiresAt },
      { 'Set-Cookie': nonceCookie(started.provider, started.nonce, started.redirectUri) },
    );
  },
});
