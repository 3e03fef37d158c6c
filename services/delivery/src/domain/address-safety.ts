/**
 * Where a webhook may go. Two checks:
 *
 * 1. The URL, before anything else: an absolute http(s) URL without credentials or fragment, and
 *    https in production stages (the API's rules, `endpointUrlProblem`, so both agree).
 * 2. Every address the host resolves to, right before connecting (the sender then connects to the
 *    checked address itself, so DNS cannot answer differently a moment later: no rebinding). Only
 *    public unicast addresses pass: loopback, private (RFC 1918), link-local, unique-local, CGNAT,
 *    unspecified, multicast, reserved and the translation ranges (NAT64, 6to4, Teredo) are refused
 *    (an IPv4-mapped IPv6 address is judged as the IPv4 address it carries; IPv4-compatible and
 *    ISATAP addresses are refused whatever they carry), as are the cloud
 *    metadata services
 *    (169.254.169.254, fd00:ec2::254), unless an operator allows a network
 *    (ALLOWED_ENDPOINT_NETWORKS). The metadata addresses must be allowed by name (a /32 or /128):
 *    allowing 169.254.0.0/16 does not open them. The local stage allows loopback, for the receivers
 *    the tests run.
 *
 * Ranges come from `ipaddr.js` (the IANA special-purpose registries), not from hand-written masks.
 */
import ipaddr from 'ipaddr.js';
import { endpointUrlProblem } from './subscriptions';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Network = [Address, number];

/** Cloud metadata services: the most valuable target of a server-side request forgery. */
export const METADATA_ADDRESSES: readonly string[] = ['169.254.169.254', 'fd00:ec2::254'];

export interface EndpointPolicy {
  stage: string;
  /** Non-public networks an operator allows (the local stage adds loopback). */
  allowedNetworks: Network[];
}

/** `10.0.0.0/8, fd12::/16` → networks; throws naming the first entry that is not a CIDR. */
export function parseNetworks(text: string): Network[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      try {
        return ipaddr.parseCIDR(entry) as Network;
      } catch {
        throw new Error(`ALLOWED_ENDPOINT_NETWORKS: "${entry}" is not a CIDR network (e.g. 10.0.0.0/8)`);
      }
    });
}

export function endpointPolicy(stage: string, allowedNetworks: string): EndpointPolicy {
  const networks = parseNetworks(allowedNetworks);
  if (stage === 'local') networks.push(...parseNetworks('127.0.0.0/8, ::1/128'));
  return { stage, allowedNetworks: networks };
}

/** Why a delivery may not go to `url` at all, or undefined. */
export function urlProblem(url: string, policy: EndpointPolicy): string | undefined {
  return endpointUrlProblem(url, policy.stage);
}

/** The address to judge: IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address it carries. */
function normalise(address: string): Address {
  return ipaddr.process(address);
}

function inNetwork(address: Address, [network, bits]: Network): boolean {
  return address.kind() === network.kind() && address.match(network, bits);
}

function isMetadata(address: Address): boolean {
  return METADATA_ADDRESSES.some((m) => {
    const metadata = ipaddr.parse(m);
    return (
      metadata.kind() === address.kind() && metadata.toNormalizedString() === address.toNormalizedString()
    );
  });
}

/**
 * IPv6 forms that carry an IPv4 address which `ipaddr.js` reports as plain unicast: IPv4-compatible
 * (::/96 written in hex, `::a00:1` = 10.0.0.1; the dotted form is already judged as IPv4) and ISATAP
 * interface identifiers (`…:0:5efe:a.b.c.d`, `…:200:5efe:…`). A tunnel on the sender's host could
 * take either to the IPv4 address inside, so neither is public whatever that address is. (IPv4-mapped,
 * NAT64, 6to4 and Teredo have ranges of their own, refused by the range check.)
 */
function embedsIpv4(ip: Address): boolean {
  if (ip.kind() !== 'ipv6') return false;
  const parts = (ip as ipaddr.IPv6).parts;
  const compatible = parts.slice(0, 6).every((part) => part === 0) && (parts[6] !== 0 || parts[7]! > 1);
  const isatap = (parts[4] === 0 || parts[4] === 0x200) && parts[5] === 0x5efe;
  return compatible || isatap;
}

/** Why a connection to `address` (a resolved IP) is refused under `policy`, or undefined. */
export function addressProblem(address: string, policy: EndpointPolicy): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const ip = normalise(address);
  const allowed = policy.allowedNetworks.filter((network) => inNetwork(ip, network));
  if (isMetadata(ip)) {
    const exact = allowed.some(([, bits]) => bits === (ip.kind() === 'ipv4' ? 32 : 128));
    return exact ? undefined : `${ip.toString()} is a cloud metadata address`;
  }
  const range = embedsIpv4(ip) ? 'embeddedIpv4' : ip.range();
  if (range === 'unicast' || allowed.length > 0) return undefined;
  return `${ip.toString()} is not a public address (${range})`;
}

/** Why any of `addresses` (all a name resolved to) is refused, or undefined when all may be used. */
export function addressesProblem(addresses: readonly string[], policy: EndpointPolicy): string | undefined {
  if (addresses.length === 0) return 'the name resolved to no address';
  for (const address of addresses) {
    const problem = addressProblem(address, policy);
    if (problem) return problem;
  }
  return undefined;
}

/** The host of a URL as an IP address when it is one (`[::1]` → `::1`), else undefined. */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (ipaddr.IPv4.isValidFourPartDecimal(bare) || bare.includes(':'))
    ? bare
    : undefined;
}
