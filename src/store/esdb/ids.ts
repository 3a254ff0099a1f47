/**
 * ULID ↔ UUID, losslessly. A ULID is 128 bits written as 26 Crockford base32 characters (the
 * first carries only 3 bits); EventStoreDB wants event ids as UUIDs. Using the same 128 bits as
 * the event's UUID (rather than a fresh random one) is what lets the server recognise a resent
 * event and apply its idempotency rule.
 */

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUlid(value: string): boolean {
  return ULID_PATTERN.test(value);
}

/** `01ARZ3NDEKTSV4RRFFQ69G5FAV` → `01563e3a-b5d3-d676-4c61-efb99302bd5b`. */
export function ulidToUuid(ulid: string): string {
  if (!ULID_PATTERN.test(ulid)) throw new TypeError(`not a canonical ULID: ${JSON.stringify(ulid)}`);
  let bits = 0n;
  for (const char of ulid) bits = (bits << 5n) | BigInt(CROCKFORD.indexOf(char));
  const hex = bits.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The inverse of ulidToUuid; accepts either case of hex digits, returns an upper-case ULID. */
export function uuidToUlid(uuid: string): string {
  if (!UUID_PATTERN.test(uuid)) throw new TypeError(`not a UUID: ${JSON.stringify(uuid)}`);
  let bits = BigInt(`0x${uuid.replaceAll('-', '')}`);
  const chars = new Array<string>(26);
  for (let i = 25; i >= 0; i--) {
    chars[i] = CROCKFORD[Number(bits & 31n)]!;
    bits >>= 5n;
  }
  return chars.join('');
}
