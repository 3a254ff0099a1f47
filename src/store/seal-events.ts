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
 * stored). Metadata is flat: its members are put in canonical order once, and the native
 * JSON.stringify writes both texts; anything else is written by canonicalJson.
 */
function metadataTexts(input: EventMetadataInput, prevHash: string, hashOf: (unsealedJson: string) => string): { hash: string; metadataJson: string } {
  const names = flatNames(input);
  if (names) {
    const unsealed = inOrder(input, names, prevHash, undefined);
    const hash = hashOf(JSON.stringify(unsealed));
    return { hash, metadataJson: JSON.stringify(inOrder(input, names, prevHash, hash)) };
  }
  // A hash member given with the input is not hashed: the one computed here replaces it.
  const { hash: _replaced, ...rest } = input as EventMetadataInput & { hash?: unknown };
  const unsealed = withMembers(rest, { prevHash });
  const hash = hashOf(canonicalJson(unsealed));
  return { hash, metadataJson: canonicalJson(withMembers(unsealed, { hash })) };
}

/**
 * The names of a flat record's members, with prevHash and hash, in canonical order; undefined
 * when JSON.stringify could not write it canonically (a nested value, a name JavaScript orders
 * by itself, a number with no JSON form: canonicalJson then decides, and throws where it must).
 */
function flatNames(record: EventMetadataInput): string[] | undefined {
  const names = Object.keys(record);
  for (const name of names) {
    if (!PLAIN_NAME.test(name)) return undefined;
    const value = (record as Record<string, unknown>)[name];
    if (typeof value === 'string') {
      if (!isWellFormed(value)) return undefined;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return undefined;
    } else if (value !== undefined && value !== null && typeof value !== 'boolean') {
      return undefined;
    }
  }
  for (const name of ['prevHash', 'hash']) if (!names.includes(name)) names.push(name);
  // Array#sort compares by UTF-16 code units, the order RFC 8785 asks for.
  return names.sort();
}

/** Names JSON.stringify writes in the order given: not integer-like, not __proto__, nothing to escape. */
const PLAIN_NAME = /^(?![0-9])(?!__proto__$)[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** The record with prevHash (and hash, unless undefined) set, its members in `names` order. */
function inOrder(record: EventMetadataInput, names: readonly string[], prevHash: string, hash: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    if (name === 'hash') {
      if (hash !== undefined) out[name] = hash;
    } else {
      out[name] = name === 'prevHash' ? prevHash : (record as Record<string, unknown>)[name];
    }
  }
  return out;
}

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
