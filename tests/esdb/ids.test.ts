import fc from 'fast-check';
import { ulidToUUID, uuidToULID } from 'ulid';
import { describe, expect, it } from 'vitest';
import { ulidToUuid, uuidToUlid } from '../../src/store/esdb/index.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Any canonical ULID: 26 Crockford characters, the first at most 7 (128 bits). */
const anyUlid = fc
  .tuple(fc.constantFrom(...'01234567'), fc.array(fc.constantFrom(...CROCKFORD), { minLength: 25, maxLength: 25 }))
  .map(([first, rest]) => first + rest.join(''));

/** Any 128 bits as a lower-case UUID, whatever its version bits say. */
const anyUuid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
});

describe('ULID ↔ UUID event ids', () => {
  it('round-trips every ULID through its UUID', () => {
    fc.assert(
      fc.property(anyUlid, (ulid) => {
        expect(uuidToUlid(ulidToUuid(ulid))).toBe(ulid);
      }),
    );
  });

  it('round-trips every UUID through its ULID', () => {
    fc.assert(
      fc.property(anyUuid, (uuid) => {
        expect(ulidToUuid(uuidToUlid(uuid))).toBe(uuid);
      }),
    );
  });

  it('agrees with the ulid package on the bits', () => {
    fc.assert(
      fc.property(anyUlid, (ulid) => {
        expect(ulidToUuid(ulid)).toBe(ulidToUUID(ulid).toLowerCase());
        expect(uuidToUlid(ulidToUuid(ulid))).toBe(uuidToULID(ulidToUUID(ulid)));
      }),
    );
  });

  it('keeps the ULID order: the time prefix becomes the leading bytes', () => {
    expect(ulidToUuid('00000000000000000000000000')).toBe('00000000-0000-0000-0000-000000000000');
    expect(ulidToUuid('7ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
    expect(ulidToUuid('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe('01563e3a-b5d3-d676-4c61-efb99302bd5b');
  });

  it('refuses what is not a canonical ULID or a UUID', () => {
    for (const bad of ['8ZZZZZZZZZZZZZZZZZZZZZZZZZ', '01arz3ndektsv4rrffq69g5fav', '01ARZ3NDEKTSV4RRFFQ69G5FA', 'I1ARZ3NDEKTSV4RRFFQ69G5FAV']) {
      expect(() => ulidToUuid(bad), bad).toThrow(TypeError);
    }
    expect(() => uuidToUlid('01563df6b5d3d6764c61efb99302bd5b')).toThrow(TypeError);
    expect(uuidToUlid('01563E3A-B5D3-D676-4C61-EFB99302BD5B')).toBe('01ARZ3NDEKTSV4RRFFQ69G5FAV');
  });
});
