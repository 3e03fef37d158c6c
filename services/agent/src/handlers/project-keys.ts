/** identity's API key events (bus rule → `agent-<stage>-keys`) into the agent's key projection. */
import { createApiKeyProjectionConsumer } from '@switchyard/access';
import { keyProjection } from '../adapters/key-projection';

export const handler = createApiKeyProjectionConsumer({ store: keyProjection });
