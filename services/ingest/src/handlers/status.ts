import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { serviceStatus } from '../app/status';

/** GET /status (no authentication): 200 when every dependency answers, 503 otherwise. */
export const handler = createHttpHandler({
  handler: async () => {
    const status = await serviceStatus();
    return jsonResponse(status.status === 'ok' ? 200 : 503, status);
  },
});
