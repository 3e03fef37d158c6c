/** identity's API key events (bus rule → `billing-<stage>-projections`) into billing's key projection. */
import { createApiKeyProjectionConsumer } from '@switchyard/access';
import { keyProjection } from '../adapters/key-projection';

export const handler = createApiKeyProjectionConsumer({ store: keyProjection });
