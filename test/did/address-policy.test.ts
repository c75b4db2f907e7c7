import { strict as assert } from 'node:assert';
import type { LookupAddress } from 'node:dns';
import { isPublicAddress, publicAddressLookup } from '../../src/did/address-policy.js';
import { DidResolutionError } from '../../src/did/index.js';
import { fixedLookup } from './helpers.js';

describe('did:web §2.6: which addresses may be connected to outside development (IANA special-purpose registries)', () => {
  const refused = [
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', '"this network"'],
    ['10.0.0.1', 'private 10/8'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.254', 'CGNAT, last'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback, last'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.254', 'private 172.16/12, last'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.1', 'documentation'],
    ['192.168.1.1', 'private 192.168/16'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'IPv6 unspecified'],
    ['::1', 'IPv6 loopback'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:8.8.8.8', 'IPv4-mapped (never on the wire)'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['64:ff9b::7f00:1', 'NAT64'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with zone'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'Teredo'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['3fff::1', 'documentation (RFC 9637)'],
    ['localhost', 'not an address'],
    ['', 'empty'],
  ] as const;
  for (const [address, name] of refused) {
    it(`refuses ${address || '""'} (${name})`, () => {
      assert.equal(isPublicAddress(address), false);
    });
  }

  const allowed = [
    '8.8.8.8',
    '93.184.215.14',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001::1',
  ];
  for (const address of allowed) {
    it(`allows the public address ${address}`, () => {
      assert.equal(isPublicAddress(address), true);
    });
  }
});

describe('did:web §2.6: the guarded DNS lookup', () => {
  function run(
    base: ReturnType<typeof fixedLookup>,
    all: boolean,
  ): Promise<{ error: unknown; result: unknown }> {
    return new Promise((resolve) => {
      publicAddressLookup(base)('did.example.test', { all }, (error: unknown, result: unknown) =>
        resolve({ error, result }),
      );
    });
  }

  it('passes public answers through, in both callback shapes', async () => {
    const base = fixedLookup('93.184.215.14', '2606:4700:4700::1111');
    const many = await run(base, true);
    assert.equal(many.error, null);
    assert.deepEqual(
      (many.result as LookupAddress[]).map((entry) => entry.address),
      ['93.184.215.14', '2606:4700:4700::1111'],
    );
    const one = await run(base, false);
    assert.equal(one.result, '93.184.215.14');
  });

  it('refuses the whole answer when any address is not public (private_address)', async () => {
    const { error } = await run(fixedLookup('93.184.215.14', '10.0.0.1'), true);
    assert.ok(error instanceof DidResolutionError);
    assert.equal(error.code, 'private_address');
  });

  it('refuses an empty answer (fetch_failed)', async () => {
    const { error } = await run(fixedLookup(), true);
    assert.ok(error instanceof DidResolutionError);
    assert.equal(error.code, 'fetch_failed');
  });
});
