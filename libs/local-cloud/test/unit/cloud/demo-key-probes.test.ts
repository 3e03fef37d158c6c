import { createServer } from 'node:http';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NEGATIVE_CACHE_TTL_MS } from '@switchyard/access';
import { demoKeyProbes, guardedProbeRoutes, untilDemoKeyAccepted } from '../../../src/seed';

describe('demoKeyProbes', () => {
  it('probes GETs without path parameters that the function itself authenticates', () => {
    expect(
      demoKeyProbes([
        { service: 'ingest', method: 'GET', path: '/inbox' },
        { service: 'ingest', method: 'GET', path: '/events/{id}' },
        { service: 'ingest', method: 'POST', path: '/events' },
        { service: 'identity', method: 'GET', path: '/operator/tenants', iam: true },
        { service: 'billing', method: 'GET', path: '/billing/usage', authorizer: { issuer: 'x' } },
        { service: 'delivery', method: 'GET', path: '/subscriptions' },
        { service: 'platform', method: 'ANY' },
      ]),
    ).toEqual([
      { service: 'ingest', path: '/inbox' },
      { service: 'delivery', path: '/subscriptions' },
    ]);
  });
});

/** A local HTTP server standing in for the gateway, for the length of `run`. */
async function withApi(handler: RequestListener, run: (apiUrl: string) => Promise<void>): Promise<void> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('untilDemoKeyAccepted', () => {
  it('waits while a service still answers 401, and names the services that never stop', async () => {
    const started = Date.now();
    await withApi(
      (req, res) => {
        const ok = req.url === '/fast' || (req.url === '/slow' && Date.now() - started > 600);
        res.statusCode = req.headers.authorization === 'Bearer sy_demo' && ok ? 200 : 401;
        res.end('{}');
      },
      async (apiUrl) => {
        const waited = Date.now();
        const lagging = await untilDemoKeyAccepted({
          apiUrl,
          apiKey: 'sy_demo',
          probes: [
            { service: 'a', path: '/fast' },
            { service: 'b', path: '/slow' },
          ],
          timeoutMs: 5_000,
        });
        expect(lagging).toEqual([]);
        // Past the slow route's first 200, for as long as a refusal may stay cached by a worker.
        expect(Date.now() - waited).toBeGreaterThanOrEqual(500 + NEGATIVE_CACHE_TTL_MS - 250);

        // Accepted at the first try: nothing was cached as unknown, so no wait.
        const atOnce = Date.now();
        expect(
          await untilDemoKeyAccepted({
            apiUrl,
            apiKey: 'sy_demo',
            probes: [{ service: 'a', path: '/fast' }],
          }),
        ).toEqual([]);
        expect(Date.now() - atOnce).toBeLessThan(NEGATIVE_CACHE_TTL_MS);

        const never = await untilDemoKeyAccepted({
          apiUrl,
          apiKey: 'sy_demo',
          probes: [
            { service: 'a', path: '/fast' },
            { service: 'c', path: '/never' },
          ],
          timeoutMs: 300,
        });
        expect(never).toEqual(['c']);
      },
    );
  });

  it('decides on the first route that refuses a request without a key, never on a public one', async () => {
    const started = Date.now();
    const seen: string[] = [];
    await withApi(
      (req, res) => {
        const keyed = req.headers.authorization === 'Bearer sy_demo';
        seen.push(`${req.url} ${keyed ? 'key' : 'none'}`);
        if (req.url === '/x/public') res.statusCode = 200;
        else if (req.url === '/x/private') res.statusCode = keyed && Date.now() - started > 500 ? 200 : 401;
        else res.statusCode = 500;
        res.end('{}');
      },
      async (apiUrl) => {
        const lagging = await untilDemoKeyAccepted({
          apiUrl,
          apiKey: 'sy_demo',
          probes: [
            { service: 'x', path: '/x/public' },
            { service: 'x', path: '/x/private' },
            { service: 'x', path: '/x/other' },
          ],
          timeoutMs: 5_000,
        });
        expect(lagging).toEqual([]);
        // The key went only to the guarded route, until it was accepted there.
        expect(seen.slice(0, 2)).toEqual(['/x/public none', '/x/private none']);
        expect(new Set(seen.slice(2))).toEqual(new Set(['/x/private key']));
        expect(seen.length).toBeGreaterThan(3);
      },
    );
  });

  it("probes services side by side and a service's own routes one after another", async () => {
    const inFlight = new Map<string, number>();
    let most = 0;
    let mostInOneService = 0;
    await withApi(
      (req, res) => {
        const service = (req.url ?? '').split('/')[1]!;
        inFlight.set(service, (inFlight.get(service) ?? 0) + 1);
        const total = [...inFlight.values()].reduce((a, b) => a + b, 0);
        most = Math.max(most, total);
        mostInOneService = Math.max(mostInOneService, inFlight.get(service)!);
        setTimeout(() => {
          inFlight.set(service, inFlight.get(service)! - 1);
          res.end('{}');
        }, 100);
      },
      async (apiUrl) => {
        const lagging = await untilDemoKeyAccepted({
          apiUrl,
          apiKey: 'sy_demo',
          probes: [
            { service: 'a', path: '/a/one' },
            { service: 'a', path: '/a/two' },
            { service: 'b', path: '/b/one' },
            { service: 'c', path: '/c/one' },
          ],
        });
        expect(lagging).toEqual([]);
        expect(most).toBe(3);
        expect(mostInOneService).toBe(1);
      },
    );
  });
});

describe('guardedProbeRoutes', () => {
  it('asks without a key, one service after another, for the first route that refuses it', async () => {
    const seen: string[] = [];
    let inFlight = 0;
    let most = 0;
    await withApi(
      (req, res) => {
        seen.push(`${req.url} ${req.headers.authorization ? 'key' : 'none'}`);
        most = Math.max(most, ++inFlight);
        setTimeout(() => {
          inFlight--;
          res.statusCode = req.url === '/a/public' ? 200 : 401;
          res.end('{}');
        }, 50);
      },
      async (apiUrl) => {
        const guarded = await guardedProbeRoutes({
          apiUrl,
          probes: [
            { service: 'a', path: '/a/public' },
            { service: 'a', path: '/a/private' },
            { service: 'a', path: '/a/other' },
            { service: 'b', path: '/b/one' },
          ],
        });
        expect(guarded).toEqual(
          new Map([
            ['a', { service: 'a', path: '/a/private' }],
            ['b', { service: 'b', path: '/b/one' }],
          ]),
        );
        expect(seen).toEqual(['/a/public none', '/a/private none', '/b/one none']);
        expect(most).toBe(1);

        // With the routes known, only the key goes out, to each service's deciding route.
        seen.length = 0;
        const lagging = await untilDemoKeyAccepted({
          apiUrl,
          apiKey: 'sy_demo',
          probes: [
            { service: 'a', path: '/a/private' },
            { service: 'a', path: '/a/public' },
            { service: 'c', path: '/c/open' },
          ],
          guarded: new Map([
            ['a', { service: 'a', path: '/a/public' }],
            ['c', undefined],
          ]),
          timeoutMs: 300,
        });
        expect(lagging).toEqual([]);
        expect(seen).toEqual(['/a/public key']);
      },
    );
  });
});
