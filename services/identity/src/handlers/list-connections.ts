import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { connectionServices } from '../adapters/connection-store';
import { callerFromEvent, ProfileStore } from '../adapters/profile-store';
import type { Connection } from '../domain/oauth';

/** What a client sees of a connection: its state, never a token. */
export function toConnectionView(connection: Connection) {
  return {
    provider: connection.provider,
    status: connection.status,
    expiresAt: connection.expiresAt ?? null,
    connectedAt: connection.connectedAt,
    updatedAt: connection.updatedAt,
  };
}

/** GET /connections (people authorizer): the caller's connections. */
export const handler = createHttpHandler({
  handler: async ({ event }) => {
    const services = connectionServices();
    const caller = await callerFromEvent(event, new ProfileStore(services.config.TABLE_NAME));
    const connections = await services.store.listForUser(caller.userId);
    return jsonResponse(200, { items: connections.map(toConnectionView) });
  },
});
