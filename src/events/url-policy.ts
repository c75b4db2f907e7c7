/**
 * Which webhook URLs a member may register, and where a delivery may connect: the address
 * rules of did:web resolution (src/did/address-policy.ts), so that no member can make the
 * service POST into its own network.
 *
 * At registration (`checkWebhookUrl`): an absolute http(s) URL of at most 2048 characters,
 * without user name, password or fragment; outside development mode https only, no IP
 * literal and no `localhost` name, a host with one trailing dot read as the host without it
 * (`localhost.` is `localhost`), and no empty label. At every connection (`deliveryLookup`): outside development
 * mode the host name must resolve to public unicast addresses only, checked inside the
 * socket's own DNS lookup (`publicAddressLookup`), so a DNS answer that changes after
 * registration, or between check and connect, cannot reach a private address.
 */
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress, publicAddressLookup } from '../did/address-policy.js';
import { EventError } from './errors.js';

export const MAX_URL_LENGTH = 2048;

/** Checks a webhook URL for registration; answers it in canonical form or throws an EventError. */
export function checkWebhookUrl(raw: unknown, developmentMode: boolean): URL {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH)
    throw new EventError(
      'invalid_url',
      `url must be an absolute URL of at most ${MAX_URL_LENGTH} characters`,
    );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EventError('invalid_url', 'url is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new EventError('invalid_url', `url must use https, not ${url.protocol.replace(':', '')}`);
  if (url.hash !== '' || raw.includes('#'))
    throw new EventError('invalid_url', 'url must not have a fragment');
  if (url.username !== '' || url.password !== '')
    throw new EventError('userinfo_not_allowed', 'url must not carry a user name or password');
  if (url.href.length > MAX_URL_LENGTH)
    throw new EventError('invalid_url', `url must be at most ${MAX_URL_LENGTH} characters`);
  if (developmentMode) return url;
  if (url.protocol !== 'https:')
    throw new EventError('insecure_transport', 'url must use https (http only in development mode)');
  // A name with one trailing dot is the same DNS name without it (`localhost.` is `localhost`):
  // every rule below reads it without the dot. An empty label (`localhost..`) names nothing.
  const bracketless = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const host = bracketless.endsWith('.') ? bracketless.slice(0, -1) : bracketless;
  if (host === '' || host.startsWith('.') || host.endsWith('.') || host.includes('..'))
    throw new EventError('invalid_url', 'url must name its host with no empty label');
  if (isIP(host) !== 0) {
    throw new EventError(
      'ip_literal_not_allowed',
      isPublicAddress(host)
        ? 'url must name its host, not an IP address'
        : `${host} is not a public address, and url must name its host`,
    );
  }
  if (host === 'localhost' || host.endsWith('.localhost'))
    throw new EventError('private_address', `${host} is a loopback name`);
  return url;
}

/**
 * The DNS lookup a delivery connects through: outside development mode, one that refuses any
 * non-public address (the error surfaces as `private_address`); in development mode the base
 * lookup (a local test receiver is on loopback).
 */
export function deliveryLookup(developmentMode: boolean, base?: LookupFunction): LookupFunction | undefined {
  return developmentMode ? base : publicAddressLookup(base);
}
