/**
 * GET /notifications/unsubscribe?token=…: a page with a button that POSTs the one-click body. It
 * never unsubscribes by itself: mail scanners follow links with GET.
 */
import { createHttpHandler, htmlResponse } from '@switchyard/runtime';
import { unsubscribeQuery } from '../api-schemas';
import { preferencesDeps } from '../app/deps';
import { readUnsubscribeToken } from '../app/preferences';
import { renderUnsubscribePage } from '../domain/render';

export const handler = createHttpHandler({
  query: unsubscribeQuery,
  handler: async ({ query }) => {
    const claim = await readUnsubscribeToken(query.token, preferencesDeps());
    return htmlResponse(200, renderUnsubscribePage(claim.category), { 'Cache-Control': 'no-store' });
  },
});
