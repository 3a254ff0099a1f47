import type { EventMetadata, EventMetadataInput } from '../../events/index.js';
import { canonicalJson, canonicalMemberJson, isWellFormed, stringJson } from './canonical-json.js';
import { chainBody, chainHash, hashChainBody } from './chain-hash.js';

type Unsealed = { type: string; data: unknown; metadata: EventMetadataInput };

/** A sealed event with the RFC 8785 texts its hash was computed from: what a store keeping JSON text writes. */
export interface SealedEventJson {
  stream: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  /** canonicalJson(data) */
  dataJson: string;
  /** canonicalJson(metadata), hash included */
  metadataJson: string;
}

/**
 * Seals new events onto the end of a stream whose last hash is `prevHash` (ZERO_HASH for a new
 * stream), serialising each event's data and metadata once: the chain hash's body is put
 * together from those texts, and the texts are what the store keeps. Throws on data that has no
 * JSON text.
 */
export function sealEventsJson(stream: string, firstRevision: number, prevHash: string, events: ReadonlyArray<Unsealed>): SealedEventJson[] {
  const streamJson = canonicalJson(stream);
  const sealed = new Array<SealedEventJson>(events.length);
  let prev = prevHash;
  // A batch is mostly of one or two types: each type's text is written once.
  let type: string | undefined;
  let typeJson = '';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const revision = firstRevision + i;
    const dataJson = canonicalMemberJson(e.data);
    if (dataJson === undefined) throw new TypeError('event data and metadata must be JSON values');
    if (e.type !== type) {
      type = e.type;
      typeJson = stringJson(type);
    }
    const revisionJson = Number.isSafeInteger(revision) ? String(revision) : canonicalJson(revision);
    const texts = metadataTexts(e.metadata, prev, (unsealedJson) => hashChainBody(prev, chainBody(dataJson, unsealedJson, revisionJson, streamJson, typeJson)));
    const metadata: EventMetadata = withMembers(e.metadata, { prevHash: prev, hash: texts.hash });
    sealed[i] = { stream, revision, type: e.type, data: e.data, metadata, dataJson, metadataJson: texts.metadataJson };
    prev = texts.hash;
  }
  return sealed;
}

/**
 * A copy of `record` with `members` set. Object.assign, not `{ ...record, ...members }`: a spread
 * that adds members takes V8's slow path, about 3 µs an event. But Object.assign sets an own
 * "__proto__" member as the prototype instead of copying it: such a record is spread.
 */
function withMembers<T extends object, M extends object>(record: T, members: M): T & M {
  return Object.hasOwn(record, '__proto__') ? { ...record, ...members } : Object.assign({}, record, members);
}

/**
 * The metadata's canonical text without the hash (what `hashOf` hashes) and with it (what is
 * stored). Flat metadata (every event's) is written member by member in canonical order, each
 * member's text once: the two texts differ only by the hash member, spliced in at its place.
 * Anything else is written by canonicalJson.
 */
function metadataTexts(input: EventMetadataInput, prevHash: string, hashOf: (unsealedJson: string) => string): { hash: string; metadataJson: string } {
  const names = flatNames(input);
  if (names) {
    // Members sorting before "hash", and after it (prevHash always does).
    let head = '';
    let tail = '';
    let afterHash = false;
    for (const name of names) {
      if (name === 'hash') {
        afterHash = true;
        continue;
      }
      const value = name === 'prevHash' ? prevHash : (input as Record<string, unknown>)[name];
      if (value === undefined) continue;
      const member = memberPrefix(name) + flatValueJson(value as FlatValue);
      if (afterHash) tail = tail === '' ? member : `${tail},${member}`;
      else head = head === '' ? member : `${head},${member}`;
    }
    const hash = hashOf(head === '' ? `{${tail}}` : `{${head},${tail}}`);
    const hashMember = `"hash":${stringJson(hash)}`;
    return { hash, metadataJson: `{${head === '' ? '' : `${head},`}${hashMember},${tail}}` };
  }
  // A hash member given with the input is not hashed: the one computed here replaces it.
  const { hash: _replaced, ...rest } = input as EventMetadataInput & { hash?: unknown };
  const unsealed = withMembers(rest, { prevHash });
  const hash = hashOf(canonicalJson(unsealed));
  return { hash, metadataJson: canonicalJson(withMembers(unsealed, { hash })) };
}

type FlatValue = string | number | boolean | null;

/** A flat member's value as RFC 8785 writes it (flatNames has checked strings and numbers). */
function flatValueJson(value: FlatValue): string {
  if (typeof value === 'string') return stringJson(value);
  // A finite number's JSON text is String(value); booleans and null are their names.
  return String(value);
}

/** `"name":` for a plain name, remembered: metadata has the same few names event after event. */
const prefixes = new Map<string, string>();
function memberPrefix(name: string): string {
  let prefix = prefixes.get(name);
  if (prefix === undefined) {
    prefix = `"${name}":`;
    if (prefixes.size < 256) prefixes.set(name, prefix);
  }
  return prefix;
}

/** The last record's names and their canonical order: metadata records almost always share one. */
let lastNames: readonly string[] | undefined;
let lastSorted: readonly string[] = [];

/**
 * The names of a flat record's members, with prevHash and hash, in canonical order; undefined
 * when its members cannot all be written by flatValueJson (a nested value, a name that needs
 * escaping or "__proto__", a lone surrogate, a number with no JSON form: canonicalJson then
 * decides, and throws where it must).
 */
function flatNames(record: EventMetadataInput): readonly string[] | undefined {
  const names = Object.keys(record);
  let same = names.length === lastNames?.length;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (same && name !== lastNames?.[i]) same = false;
    const value = (record as Record<string, unknown>)[name];
    if (typeof value === 'string') {
      if (!isWellFormed(value)) return undefined;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return undefined;
    } else if (value !== undefined && value !== null && typeof value !== 'boolean') {
      return undefined;
    }
  }
  if (same) return lastSorted;
  if (!names.every((name) => PLAIN_NAME.test(name))) return undefined;
  const sorted = names.slice();
  for (const name of ['prevHash', 'hash']) if (!sorted.includes(name)) sorted.push(name);
  // Array#sort compares by UTF-16 code units, the order RFC 8785 asks for.
  sorted.sort();
  lastNames = names;
  lastSorted = sorted;
  return sorted;
}

/** Names written as themselves in quotes: nothing to escape, and not __proto__. */
const PLAIN_NAME = /^(?!__proto__$)[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Seals new events onto the end of a stream whose last hash is `prevHash` (ZERO_HASH for a new stream). */
export function sealEvents(
  stream: string,
  firstRevision: number,
  prevHash: string,
  events: ReadonlyArray<Unsealed>,
): Array<{ stream: string; revision: number; type: string; data: unknown; metadata: EventMetadata }> {
  let prev = prevHash;
  return events.map((e, i) => {
    const revision = firstRevision + i;
    const metadata = withMembers(e.metadata, { prevHash: prev });
    const hash = chainHash({ stream, revision, type: e.type, data: e.data, metadata });
    prev = hash;
    return { stream, revision, type: e.type, data: e.data, metadata: Object.assign(metadata, { hash }) };
  });
}
