import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { DidResolutionError } from './errors.js';

/**
 * Which addresses did:web resolution may connect to outside development: public unicast
 * only. Everything an attacker could use to reach the service's own network through a
 * DID is refused: unspecified, loopback, private (RFC 1918), CGNAT (RFC 6598), link-local,
 * unique-local (RFC 4193), multicast, documentation, benchmarking and reserved ranges
 * (IANA special-purpose registries), and IPv4-mapped / NAT64 / 6to4 / Teredo IPv6 forms.
 * IPv6 is an allow-list (global unicast 2000::/3) minus the special ranges inside it.
 */
const REFUSED_IPV4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT shared address space
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (and cloud metadata endpoints)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const REFUSED_IPV6_IN_GLOBAL: readonly (readonly [string, number])[] = [
  ['2001::', 23], // IETF protocol assignments, Teredo (2001::/32)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: tunnels to an embedded IPv4 address
  ['3fff::', 20], // documentation
];

const refusedIpv4 = new BlockList();
for (const [network, prefix] of REFUSED_IPV4) refusedIpv4.addSubnet(network, prefix, 'ipv4');

const globalIpv6 = new BlockList();
globalIpv6.addSubnet('2000::', 3, 'ipv6');
const refusedIpv6 = new BlockList();
for (const [network, prefix] of REFUSED_IPV6_IN_GLOBAL) refusedIpv6.addSubnet(network, prefix, 'ipv6');

/** True when an IP address (textual) is public unicast and may be connected to. */
export function isPublicAddress(address: string): boolean {
  // Zone ids (fe80::1%eth0) only occur on link-local addresses.
  if (address.includes('%')) return false;
  switch (isIP(address)) {
    case 4:
      return !refusedIpv4.check(address, 'ipv4');
    case 6:
      return globalIpv6.check(address, 'ipv6') && !refusedIpv6.check(address, 'ipv6');
    default:
      return false;
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * Wraps a DNS lookup (node:dns `lookup` by default) so that a connection is only made when
 * every address the name resolves to is public. The check runs inside the socket's own
 * lookup, on the addresses it then connects to, so a DNS answer cannot change in between
 * (no rebinding window). Refusal surfaces as `private_address`.
 */
export function publicAddressLookup(base: LookupFunction = dnsLookup as LookupFunction): LookupFunction {
  const guarded = (hostname: string, options: object, callback: LookupCallback): void => {
    const all = (options as { all?: boolean }).all === true;
    const lookupOptions: LookupAllOptions = { ...(options as LookupAllOptions), all: true };
    base(hostname, lookupOptions, ((
      error: NodeJS.ErrnoException | null,
      result: string | LookupAddress[],
      family?: number,
    ) => {
      if (error) {
        callback(error, all ? [] : '');
        return;
      }
      // A base lookup may ignore `all` and answer with one address.
      const addresses: LookupAddress[] = Array.isArray(result)
        ? result
        : [{ address: result, family: family ?? 0 }];
      if (addresses.length === 0) {
        callback(new DidResolutionError('fetch_failed', `${hostname} resolves to no address`), all ? [] : '');
        return;
      }
      const refused = addresses.find((entry) => !isPublicAddress(entry.address));
      if (refused !== undefined) {
        const message = `${hostname} resolves to ${refused.address}, which is not a public address`;
        callback(new DidResolutionError('private_address', message), all ? [] : '');
        return;
      }
      if (all) callback(null, addresses);
      else callback(null, (addresses[0] as LookupAddress).address, (addresses[0] as LookupAddress).family);
    }) as Parameters<LookupFunction>[2]);
  };
  return guarded as LookupFunction;
}
