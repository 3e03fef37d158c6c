/**
 * What each API key role may do in ingest:
 * - `events:publish`: POST /events and /events/batch;
 * - `events:read`: GET /inbox and GET /events/{id};
 * - `events:ack`: DELETE /events/{id} and lease release. A pull consumer must acknowledge what it
 *   reads, so every valid key may; acknowledging changes only delivery state, never an event.
 */
import type { Role } from '@switchyard/access';

export type Action = 'events:publish' | 'events:read' | 'events:ack';

const PERMISSIONS: Record<Action, readonly Role[]> = {
  'events:publish': ['creator', 'admin'],
  'events:read': ['viewer', 'creator', 'admin'],
  'events:ack': ['viewer', 'creator', 'admin'],
};

export type AuthorizeResult = { ok: true } | { ok: false; status: 403; code: 'forbidden'; message: string };

export function authorize(role: Role, action: Action): AuthorizeResult {
  if (PERMISSIONS[action].includes(role)) return { ok: true };
  return { ok: false, status: 403, code: 'forbidden', message: `A ${role} key may not perform ${action}` };
}
