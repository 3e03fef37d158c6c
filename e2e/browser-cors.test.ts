// e2e in a real browser: a page served from another origin calls the API the way a web app does
// (a preflighted POST with an Authorization header), reads the 202, then reads the bodies of a 400
// from ingest and a 401 from the gateway's own JWT authorizer. It passes only if the gateway answers
// the preflight and puts the API's CORS headers on every answer, errors included (decision 31).
// Headless Chromium from Debian's `chromium` package, driven by playwright-core; .ci/run installs it.
// Without it the suite fails in CI and is skipped elsewhere, with the reason.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { eventually, startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const present = existsSync(CHROMIUM);
if (!present && !process.env.CI) {
  console.warn(`browser CORS suite skipped: no ${CHROMIUM} (apt-get install chromium; CI fails instead)`);
}
const describeInBrowser = present || process.env.CI ? describe : describe.skip;

/** The web app: an empty page; the test runs its fetches in the page, from the page's origin. */
function startPageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>web app</title><p>Switchyard from another origin</p>');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

interface Answer {
  status: number;
  body: unknown;
  requestId: string | null;
}

describeInBrowser('the API from a web page on another origin (headless Chromium)', () => {
  let cloud: RunningLocalCloud;
  let page: { server: Server; origin: string };
  let userDataDir: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    if (!present) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
    [cloud, page] = await Promise.all([
      startLocalCloud({ services: ['identity', 'ingest'] }),
      startPageServer(),
    ]);
    userDataDir = mkdtempSync(join(tmpdir(), 'sy-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    // The demo key reaches ingest as identity's ApiKeyCreated: wait until ingest accepts it.
    await eventually(
      async () => {
        const response = await fetch(`${cloud.apiUrl}/inbox?limit=1`, {
          headers: { authorization: `Bearer ${cloud.apiKey}` },
        });
        return response.status === 200 ? true : undefined;
      },
      { what: 'ingest to know the demo key', timeoutMs: 30_000 },
    );
  });

  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    page?.server.close();
    await cloud?.stop();
  });

  it('publishes with an Authorization header and reads the 202, a 400 body and the gateway’s 401 body', async () => {
    expect(page.origin).not.toBe(new URL(cloud.apiUrl).origin);
    const tab = await browser.newPage();
    await tab.goto(`${page.origin}/`);
    const answers = await tab.evaluate(
      async ({ api, key }) => {
        const read = async (response: Response) => ({
          status: response.status,
          body: (await response.json()) as unknown,
          // Readable only if the API exposes it to scripts (Access-Control-Expose-Headers).
          requestId: response.headers.get('x-request-id'),
        });
        const publish = (body: string) =>
          fetch(`${api}/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body,
          }).then(read);
        return {
          accepted: await publish(
            JSON.stringify({ event_type: 'demo.browser', payload: { from: 'a page' } }),
          ),
          invalid: await publish(JSON.stringify({ payload: 'no event type' })),
          unauthorized: await fetch(`${api}/profile/someone`, {
            headers: { authorization: 'Bearer nope' },
          }).then(read),
        };
      },
      { api: cloud.apiUrl, key: cloud.apiKey as string },
    );
    await tab.close();

    const accepted: Answer = answers.accepted;
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      status: 'accepted',
      event_id: expect.any(String),
      event_type: 'demo.browser',
    });
    expect(accepted.requestId).toEqual(expect.any(String));

    const invalid: Answer = answers.invalid;
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({
      error: { code: expect.any(String), message: expect.any(String), correlationId: invalid.requestId },
    });

    // The gateway's own answer (the JWT authorizer refused the token), before any function runs.
    const unauthorized: Answer = answers.unauthorized;
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body).toEqual({
      message: 'Unauthorized',
      error: { code: 'unauthorized', message: 'Unauthorized', correlationId: expect.any(String) },
    });
  });
});
