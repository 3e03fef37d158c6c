/**
 * POST /notifications/unsubscribe?token=… with the body `List-Unsubscribe=One-Click` (RFC 8058):
 * turns the token's category off. No sign-in (the token is signed), 200 without a redirect, and
 * idempotent; a tampered token is 400.
 */
import { badRequest, createHttpHandler, htmlResponse } from '@switchyard/runtime';
import { unsubscribeQuery } from '../api-schemas';
import { preferencesDeps } from '../app/deps';
import { unsubscribe } from '../app/preferences';
import { unsubscribedPage } from '../domain/render';

export const handler = createHttpHandler({
  query: unsubscribeQuery,
  maxBodyBytes: 1024,
  handler: async ({ query, event }) => {
    const raw = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : (event.body ?? '');
    if (new URLSearchParams(raw).get('List-Unsubscribe') !== 'One-Click') {
      throw badRequest('The body must be List-Unsubscribe=One-Click.');
    }
    const claim = await unsubscribe(query.token, preferencesDeps());
    return htmlResponse(200, unsubscribedPage(claim.category), { 'Cache-Control': 'no-store' });
  },
});
