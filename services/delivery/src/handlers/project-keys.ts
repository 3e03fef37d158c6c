/**
 * identity's ApiKeyCreated / ApiKeyUpdated / ApiKeyRevoked (bus rule → `delivery-<stage>-projections`)
 * into delivery's key projection, which authenticates API keys on delivery's routes. A message that
 * matches no contract goes to the queue's DLQ (its alarm says so).
 */
import { createApiKeyProjectionConsumer } from '@switchyard/access';
import { keyProjection } from '../adapters/key-projection';

export const handler = createApiKeyProjectionConsumer({ store: keyProjection });
