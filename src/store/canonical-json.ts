/**
 * RFC 8785 (JSON Canonicalization Scheme), the serialisation the hash chain covers: byte for byte
 * what `canonicalize` 4.x writes for JSON values (tests/store/canonical-json.test.ts holds the two
 * together with fast-check), at a fraction of its cost.
 *
 * RFC 8785 writes strings and numbers exactly as ECMAScript's JSON.stringify does and sorts object
 * members by the UTF-16 code units of their names, so the native JSON.stringify already writes the
 * canonical form of any value whose objects list their keys in that order. One walk finds out
 * whether they do (anything read back from canonical text does) and makes a sorted copy of the
 * objects that do not. Two kinds of key cannot be put in order by a copy: integer-like keys, which
 * JavaScript always lists first and numerically, and "__proto__", which an assignment would not
 * create. A value with either in an object that needs a copy is written by `explicitJson` instead.
 */

/** String#isWellFormed (Node 20), which the project's TypeScript lib (ES2022) does not declare. */
export const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

function assertWellFormed(s: string): void {
  // canonicalize refuses lone surrogates; JSON.stringify would escape them instead.
  if (!isWellFormed(s)) throw new Error('Lone surrogate is not allowed');
}

function assertFinite(n: number): void {
  if (!Number.isFinite(n)) throw new Error(`${n} is not allowed`);
}

const INTEGER_LIKE = /^(?:0|[1-9][0-9]*)$/;

function cannotCopyInOrder(key: string): boolean {
  const first = key.charCodeAt(0);
  if (first === 0x5f) return key === '__proto__';
  return first >= 0x30 && first <= 0x39 && INTEGER_LIKE.test(key);
}

export type WithToJson = { toJSON?: unknown };

/** Returned by `ordered` when only the explicit serialiser can write the value. */
const EXPLICIT = Symbol('explicit');

/**
 * The value itself when JSON.stringify already writes it canonically, else a copy (sharing every
 * part that needs no change) that it does write canonically, or EXPLICIT. Throws as canonicalize
 * does on lone surrogates and non-finite numbers.
 */
function ordered(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      assertWellFormed(value);
      return value;
    case 'number':
      assertFinite(value);
      return value;
    case 'object':
      if (value === null) return value;
      // canonicalize, like JSON.stringify, writes what toJSON returns (Date, for one).
      if (typeof (value as WithToJson).toJSON === 'function') return ordered((value as { toJSON(): unknown }).toJSON());
      return Array.isArray(value) ? orderedArray(value) : orderedObject(value as Record<string, unknown>);
    default:
      // booleans, and what JSON.stringify leaves out (undefined, functions, symbols) or refuses (bigint).
      return value;
  }
}

function orderedArray(items: unknown[]): unknown {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const out = ordered(item);
    if (out === EXPLICIT) return EXPLICIT;
    if (copy === undefined && out !== item) copy = items.slice(0, i);
    copy?.push(out);
  }
  return copy ?? items;
}

/**
 * Key lists met lately, with their canonical order (undefined: already in it; EXPLICIT: no copy
 * can be put in it): events of one type list the same keys in the same order, so most objects
 * skip the checks and the sort. Compared element by element, which for keys read from JSON or
 * written in literals (internalized strings) is pointer comparison.
 */
const recentOrders: Array<{ keys: string[]; order: string[] | typeof EXPLICIT | undefined }> = [];
const RECENT_ORDERS = 16;
/** Longer lists are not remembered: events have short ones, and a module-wide cache should not hold large arrays alive. */
const REMEMBERED_KEYS = 64;
let nextSlot = 0;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `keys` in canonical order (`keys` itself when already so), or EXPLICIT when a copy cannot be put in that order. */
function canonicalOrder(keys: string[]): string[] | typeof EXPLICIT {
  for (const recent of recentOrders) if (sameKeys(recent.keys, keys)) return recent.order ?? keys;
  let inOrder = true;
  for (let i = 0; i < keys.length; i++) {
    assertWellFormed(keys[i]!);
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) inOrder = false;
  }
  // Array#sort compares strings by UTF-16 code units, the order RFC 8785 asks for.
  const order = inOrder ? undefined : keys.some(cannotCopyInOrder) ? EXPLICIT : keys.slice().sort();
  if (keys.length <= REMEMBERED_KEYS) {
    recentOrders[nextSlot] = { keys, order };
    nextSlot = (nextSlot + 1) % RECENT_ORDERS;
  }
  return order ?? keys;
}

function orderedObject(record: Record<string, unknown>): unknown {
  const keys = Object.keys(record);
  const order = canonicalOrder(keys);
  if (order === EXPLICIT) return EXPLICIT;
  if (order !== keys) {
    const copy: Record<string, unknown> = {};
    for (const key of order) {
      const out = ordered(record[key]);
      if (out === EXPLICIT) return EXPLICIT;
      copy[key] = out;
    }
    return copy;
  }
  let outs: unknown[] | undefined;
  for (let i = 0; i < keys.length; i++) {
    const item = record[keys[i]!];
    const out = ordered(item);
    if (out === EXPLICIT) return EXPLICIT;
    if (outs === undefined && out !== item) outs = keys.slice(0, i).map((key) => record[key]);
    outs?.push(out);
  }
  if (outs === undefined) return record;
  if (keys.some(cannotCopyInOrder)) return EXPLICIT;
  const copy: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) copy[keys[i]!] = outs[i];
  return copy;
}

/** RFC 8785 written member by member: slower, but takes any key. Undefined where JSON has no text. */
function explicitJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      assertWellFormed(value);
      return JSON.stringify(value);
    case 'number':
      assertFinite(value);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value); // throws, as in canonicalize
    case 'object': {
      if (value === null) return 'null';
      if (typeof (value as WithToJson).toJSON === 'function') return explicitJson((value as { toJSON(): unknown }).toJSON());
      if (Array.isArray(value)) return `[${value.map((item: unknown) => explicitJson(item) ?? 'null').join(',')}]`;
      const record = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(record).sort()) {
        assertWellFormed(key);
        const text = explicitJson(record[key]);
        if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      return undefined;
  }
}

/**
 * RFC 8785 canonical JSON of a JSON value. Throws on what canonicalize refuses (lone surrogates,
 * NaN, Infinity, bigint, circular structures) and on a value with no JSON text at all (undefined).
 * Functions and symbols are left out of objects and written as null in arrays, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  const out = ordered(value);
  const text = out === EXPLICIT ? explicitJson(value) : (JSON.stringify(out) as string | undefined);
  if (text === undefined) throw new TypeError('value has no canonical JSON form');
  return text;
}

/** Printable ASCII but the quote and the backslash: what JSON writes as itself. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** canonicalJson of a string, which for names and ids almost always is the string in quotes. */
export function stringJson(s: string): string {
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  assertWellFormed(s);
  return JSON.stringify(s);
}

/**
 * The canonical text of a member's value, or undefined when canonicalize leaves the member out
 * (undefined, functions, symbols).
 */
export function canonicalMemberJson(value: unknown): string | undefined {
  if (typeof value === 'string') return stringJson(value);
  return value === undefined || typeof value === 'function' || typeof value === 'symbol' ? undefined : canonicalJson(value);
}
