/**
 * What the API checks of an endpoint URL when a subscription is created or its URL changed: the
 * URL rules (`endpointUrlProblem`: form, https in production stages) and, when the host is an IP
 * address written out, the same address rules the engine applies before connecting
 * (./address-safety.ts), so `https://169.254.169.254/` or `http://10.0.0.1/` is refused at once
 * instead of failing every delivery. Host names are not resolved here: what a name resolves to
 * can change, so the engine checks it on every attempt.
 */
import type { EndpointPolicy } from './address-safety';
import { addressProblem, literalAddress, urlProblem } from './address-safety';

/** Why `url` cannot be subscribed under `policy`, or undefined. */
export function subscribableUrlProblem(url: string, policy: EndpointPolicy): string | undefined {
  const problem = urlProblem(url, policy);
  if (problem) return problem;
  const address = literalAddress(new URL(url).hostname);
  const refused = address === undefined ? undefined : addressProblem(address, policy);
  return refused === undefined ? undefined : `must not point at ${refused}`;
}
