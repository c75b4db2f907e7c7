import { strict as assert } from 'node:assert';
import { gzipSync } from 'node:zlib';
import {
  Bitstring,
  decodeList,
  encodeList,
  MINIMUM_LIST_BITS,
  parseStatusListIndex,
  StatusListError,
  type StatusListErrorCode,
} from '../../../src/credentials/status/index.js';

/** The encodedList of the spec's example BitstringStatusListCredential (§2.2): 131,072 zero bits. */
const SPEC_EMPTY_LIST = 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA';

function refusal(run: () => unknown): StatusListErrorCode {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof StatusListError, `expected a StatusListError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('expected a StatusListError');
}

describe('Bitstring Status List §2.2 encodedList: bit order', () => {
  it('index 0 is the left-most bit of the first byte (0x80)', () => {
    const bits = Bitstring.zeros(16);
    bits.set(0, true);
    assert.deepEqual([...bits.toBytes()], [0x80, 0x00]);
  });

  it('index 7 is the right-most bit of the first byte, index 8 the left-most of the second', () => {
    const bits = Bitstring.zeros(16);
    bits.set(7, true);
    bits.set(8, true);
    assert.deepEqual([...bits.toBytes()], [0x01, 0x80]);
  });

  it('clearing a bit leaves its neighbours', () => {
    const bits = Bitstring.zeros(8);
    for (const i of [2, 3, 4]) bits.set(i, true);
    bits.set(3, false);
    assert.deepEqual([...bits.toBytes()], [0b0010_1000]);
    assert.equal(bits.get(2), true);
    assert.equal(bits.get(3), false);
  });

  it('refuses an index outside the list with index_out_of_range', () => {
    const bits = Bitstring.zeros(8);
    assert.equal(
      refusal(() => bits.get(8)),
      'index_out_of_range',
    );
    assert.equal(
      refusal(() => bits.set(-1, true)),
      'index_out_of_range',
    );
    assert.equal(
      refusal(() => bits.get(1.5)),
      'index_out_of_range',
    );
  });

  it('refuses a length that is not a positive multiple of 8 with invalid_size', () => {
    assert.equal(
      refusal(() => Bitstring.zeros(0)),
      'invalid_size',
    );
    assert.equal(
      refusal(() => Bitstring.zeros(12)),
      'invalid_size',
    );
  });
});

describe('Bitstring Status List §3.3 Bitstring Generation and §3.4 Expansion', () => {
  it('the empty 131,072-bit list encodes to the spec example, 69 characters', () => {
    const encoded = encodeList(Bitstring.zeros(MINIMUM_LIST_BITS));
    assert.equal(encoded, SPEC_EMPTY_LIST);
    assert.equal(encoded.length, 69);
  });

  it('the spec example decodes to 131,072 zero bits', () => {
    const bits = decodeList(SPEC_EMPTY_LIST);
    assert.equal(bits.length, 131_072);
    assert.ok(bits.toBytes().every((byte) => byte === 0));
  });

  it('a list with bits 0, 1 and 131071 set decodes to the same bits', () => {
    const bits = Bitstring.zeros(MINIMUM_LIST_BITS);
    for (const i of [0, 1, 131_071]) bits.set(i, true);
    const encoded = encodeList(bits);
    assert.match(encoded, /^u[A-Za-z0-9_-]+$/, 'multibase base64url, no padding');
    const decoded = decodeList(encoded);
    assert.equal(decoded.length, MINIMUM_LIST_BITS);
    const set = [];
    for (let i = 0; i < decoded.length; i++) if (decoded.get(i)) set.push(i);
    assert.deepEqual(set, [0, 1, 131_071]);
    assert.equal(decoded.toBytes()[0], 0xc0);
    assert.equal(decoded.toBytes()[16_383], 0x01);
  });
});

describe('Bitstring Status List §3.2 Validate and §3.5 Processing Errors: refusals', () => {
  it('refuses an encodedList without the multibase "u" prefix with missing_multibase_prefix', () => {
    assert.equal(
      refusal(() => decodeList(SPEC_EMPTY_LIST.slice(1))),
      'missing_multibase_prefix',
    );
    assert.equal(
      refusal(() => decodeList(`z${SPEC_EMPTY_LIST.slice(1)}`)),
      'missing_multibase_prefix',
    );
  });

  it('refuses a list shorter than 131,072 entries with list_too_short (STATUS_LIST_LENGTH_ERROR)', () => {
    const short = encodeList(Bitstring.zeros(MINIMUM_LIST_BITS - 8));
    try {
      decodeList(short);
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(error instanceof StatusListError);
      assert.equal(error.code, 'list_too_short');
      assert.equal(error.specError, 'STATUS_LIST_LENGTH_ERROR');
    }
  });

  it('accepts a shorter list only when the caller lowers the minimum', () => {
    assert.equal(decodeList(encodeList(Bitstring.zeros(64)), { minimumBits: 64 }).length, 64);
  });

  it('refuses a GZIP bomb beyond the cap with list_too_large, before expanding all of it', () => {
    const bomb = `u${gzipSync(Buffer.alloc(17 * 1024 * 1024)).toString('base64url')}`;
    assert.ok(bomb.length < 40_000, 'small on the wire');
    assert.equal(
      refusal(() => decodeList(bomb)),
      'list_too_large',
    );
    assert.equal(
      refusal(() => decodeList(SPEC_EMPTY_LIST, { maxBytes: 1024 })),
      'list_too_large',
    );
  });

  it('refuses input longer than any list under the cap could compress to with list_too_large', () => {
    assert.equal(
      refusal(() => decodeList(`u${'A'.repeat(4000)}`, { maxBytes: 1024 })),
      'list_too_large',
    );
  });

  it('refuses padding, other alphabets and non-GZIP data with malformed_list', () => {
    assert.equal(
      refusal(() => decodeList(`${SPEC_EMPTY_LIST}==`)),
      'malformed_list',
    );
    assert.equal(
      refusal(() => decodeList(SPEC_EMPTY_LIST.replace('-', '+'))),
      'malformed_list',
    );
    assert.equal(
      refusal(() => decodeList(`u${Buffer.from('not gzip at all').toString('base64url')}`)),
      'malformed_list',
    );
    assert.equal(
      refusal(() => decodeList(42)),
      'malformed_list',
    );
    assert.equal(
      refusal(() => decodeList('')),
      'malformed_list',
    );
  });
});

describe('Bitstring Status List §2.1 statusListIndex', () => {
  it('is a base-10 integer expressed as a string', () => {
    assert.equal(parseStatusListIndex('0'), 0);
    assert.equal(parseStatusListIndex('94567'), 94_567);
  });

  it('refuses numbers, signs, leading zeros, white space and hex with malformed_index', () => {
    for (const value of [94567, '-1', '+1', '007', ' 1', '1 ', '0x10', '1e3', '']) {
      assert.equal(
        refusal(() => parseStatusListIndex(value)),
        'malformed_index',
        JSON.stringify(value),
      );
    }
  });

  it('refuses an index beyond 2^53 - 1 with index_out_of_range', () => {
    assert.equal(
      refusal(() => parseStatusListIndex('9007199254740993')),
      'index_out_of_range',
    );
  });
});
