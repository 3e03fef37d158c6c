// A stand-in for Stripe's API: a real HTTP server on a free loopback port, which billing's Stripe
// SDK is pointed at (STRIPE_API_HOST/PORT/PROTOCOL). It answers the three calls the tenant's view
// makes, in Stripe's shapes, and records what it was asked. (`stripe-mock` ships only as a Go binary.)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StripeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  authorization: string | undefined;
}

export async function startStripeFake(prices: Record<string, string>) {
  const requests: StripeRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stripe.fake');
      const request: StripeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        form: new URLSearchParams(body),
        authorization: req.headers.authorization,
      };
      requests.push(request);
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${requests.length}` });
        res.end(JSON.stringify(json));
      };
      if (request.method === 'GET' && request.path === '/v1/prices') {
        const key = request.query.get('lookup_keys[0]') ?? '';
        const id = prices[key];
        answer(200, {
          object: 'list',
          url: '/v1/prices',
          has_more: false,
          data: id ? [{ id, object: 'price', lookup_key: key, active: true, metadata: {} }] : [],
        });
      } else if (request.method === 'POST' && request.path === '/v1/checkout/sessions') {
        answer(200, {
          id: `cs_test_fake${requests.length}`,
          object: 'checkout.session',
          mode: 'subscription',
          client_reference_id: request.form.get('client_reference_id'),
          url: `https://checkout.stripe.com/c/pay/cs_test_fake${requests.length}`,
        });
      } else if (request.method === 'POST' && request.path === '/v1/billing_portal/sessions') {
        answer(200, {
          id: `bps_fake${requests.length}`,
          object: 'billing_portal.session',
          customer: request.form.get('customer'),
          url: `https://billing.stripe.com/p/session/fake${requests.length}`,
        });
      } else {
        answer(404, { error: { type: 'invalid_request_error', message: 'Unrecognized request URL' } });
      }
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
