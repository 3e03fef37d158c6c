/**
 * Sends one webhook: an HTTP POST with undici, to an address checked
 * first and then pinned.
 *
 * 1. The URL is checked (scheme per stage, no credentials...), then the host is resolved and EVERY
 *    address it resolves to must pass the address rules (../domain/address-safety.ts).
 * 2. The connection goes to the checked address itself: undici's connector is given a `lookup`
 *    that answers with it, so nothing resolves the name again between the check and the connect
 *    (no DNS rebinding), while the request keeps the URL's `Host` header and TLS SNI/certificate
 *    name. Redirects are never followed (a 3xx is a failure like any other non-2xx).
 * 3. One deadline (SEND_TIMEOUT_MS, 15 s) covers resolving, connecting, the status line and the
 *    first KB of the body, which is all that is kept; the rest is discarded.
 *
 * Connections are reused per (origin, pinned address) within a warm container; a new address (a
 * DNS change) gets a new, freshly checked connection.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { Agent, request } from 'undici';
import type { EndpointPolicy } from '../domain/address-safety';
import { addressesProblem, literalAddress, urlProblem } from '../domain/address-safety';
import type { SendResult } from '../domain/outcome';

export const RESPONSE_BODY_LIMIT = 1024;

export type Resolver = (hostname: string) => Promise<string[]>;

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export interface SendOptions {
  timeoutMs: number;
  policy: EndpointPolicy;
  /** Name resolution (tests pass their own); defaults to the system resolver. */
  resolve?: Resolver;
}

/** Agents by `origin|address`, oldest first (a Map keeps insertion order). */
const agents = new Map<string, Agent>();
const MAX_AGENTS = 100;

function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/** net.connect's `lookup` answering with the pinned address only, for both of its call shapes. */
function pinnedLookup(address: string) {
  const family = familyOf(address);
  return (
    _hostname: string,
    options: { all?: boolean } | number | undefined,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    if (typeof options === 'object' && options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

function agentFor(origin: string, address: string): Agent {
  const key = `${origin}|${address}`;
  let agent = agents.get(key);
  if (agent) {
    agents.delete(key);
    agents.set(key, agent);
    return agent;
  }
  agent = new Agent({
    connect: { lookup: pinnedLookup(address) as never },
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 30_000,
  });
  agents.set(key, agent);
  if (agents.size > MAX_AGENTS) {
    const [oldestKey, oldest] = agents.entries().next().value as [string, Agent];
    agents.delete(oldestKey);
    void oldest.close().catch(() => undefined);
  }
  return agent;
}

/** Closes every kept connection (tests, shutdown). */
export async function closeConnections(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((agent) => agent.destroy().catch(() => undefined)));
}

/** A short reason for a failed request, without URLs, headers or bodies. */
export function describeSendError(error: unknown, timedOut: boolean): string {
  if (timedOut) return 'timeout: no response within the send timeout';
  const err = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DNS lookup failed (${code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timeout: connecting';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timeout: no response within the send timeout';
    case 'UND_ERR_HEADERS_OVERFLOW':
      return 'response headers too large';
    default:
      if (typeof code === 'string' && code.startsWith('ERR_TLS')) return `TLS error (${code})`;
      if (typeof code === 'string' && /CERT|SSL/.test(code)) return `TLS error (${code})`;
      return `request failed${code ? ` (${code})` : err?.name ? ` (${err.name})` : ''}`;
  }
}

/** Reads at most RESPONSE_BODY_LIMIT bytes of a body stream, then lets go of the rest. */
async function readHead(body: AsyncIterable<Uint8Array> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buffer = Buffer.from(chunk);
      chunks.push(buffer.subarray(0, RESPONSE_BODY_LIMIT - size));
      size += buffer.length;
      if (size >= RESPONSE_BODY_LIMIT) break;
    }
  } catch {
    // A body cut short (reset, deadline) keeps what arrived.
  } finally {
    body.destroy();
  }
  // A cut in the middle of a UTF-8 sequence decodes as U+FFFD, never as an error.
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

/** POSTs `body` to `url` under the safety rules; never throws for what the endpoint does. */
export async function sendWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: SendOptions,
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const refused = (error: string): SendResult => ({ latencyMs: elapsed(), error, refused: true });

  const problem = urlProblem(url, options.policy);
  if (problem) return refused(`URL refused: ${problem}`);
  const target = new URL(url);

  const deadline = AbortSignal.timeout(options.timeoutMs);
  const timedOutOr = (error: unknown): SendResult => ({
    latencyMs: elapsed(),
    error: describeSendError(error, deadline.aborted),
    ...(deadline.aborted ? { timedOut: true } : {}),
  });
  let addresses: string[];
  const literal = literalAddress(target.hostname);
  if (literal) addresses = [literal];
  else {
    try {
      const resolve = options.resolve ?? systemResolver;
      addresses = await Promise.race([
        resolve(target.hostname),
        new Promise<never>((_, reject) =>
          deadline.addEventListener('abort', () => reject(new Error('timeout')), { once: true }),
        ),
      ]);
    } catch (error) {
      return timedOutOr(error);
    }
  }
  const addressProblem = addressesProblem(addresses, options.policy);
  if (addressProblem) return refused(`address refused: ${addressProblem}`);
  const address = addresses[0]!;

  try {
    const response = await request(target, {
      method: 'POST',
      headers,
      body,
      dispatcher: agentFor(target.origin, address),
      signal: deadline,
    });
    const latencyMs = elapsed();
    const retryAfter = response.headers['retry-after'];
    const responseBody = await readHead(response.body);
    return {
      statusCode: response.statusCode,
      latencyMs,
      responseBody,
      ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
    };
  } catch (error) {
    return timedOutOr(error);
  }
}
