import type { EventMetadata, StoredEvent } from '../../events/index.js';
import { stringJson } from './canonical-json.js';
import { isCanonicalText } from './canonical-text.js';
import { chainBody, hashChainBody, storedEventHash } from './chain-hash.js';
import type { StoredEventJson } from './port.js';

/** An event's place, the hashes its metadata claims, and the hash its content gives. */
export interface Rehashed {
  stream: string;
  revision: number;
  prevHash: string;
  hash: string;
  actual: string;
}

/**
 * The chain hash of an event read as the JSON texts its store keeps. Since stores write
 * canonicalJson(data) and canonicalJson(metadata), the body the hash covers is, for an untouched
 * event, those very texts with the metadata's hash member cut out: hashed as stored, not parsed
 * nor written again. That holds only where each text is shown to be the canonical text of what it
 * says (`isCanonicalText`, which also shows each is one whole JSON value, so the joined body cannot
 * be read two ways). Anything else (a ledger written before texts were canonical, an edited row, a
 * name with an escape) is parsed and hashed from its values exactly as `storedEventHash` does.
 * Either way the answer is the one the values give. Throws, as reading the store would, on text
 * that is not JSON.
 */
export function rehashStoredJson(e: StoredEventJson): Rehashed {
  return hashedAsStored(e) ?? hashedFromValues(e);
}

/** Recomputes an event's chain hash: from its values, or from the JSON text its store keeps. */
export function rehash(e: StoredEvent | StoredEventJson): Rehashed {
  if ('dataJson' in e) return rehashStoredJson(e);
  const { prevHash, hash } = e.metadata;
  return { stream: e.stream, revision: e.revision, prevHash, hash, actual: storedEventHash(e) };
}

function hashedFromValues(e: StoredEventJson): Rehashed {
  const data = JSON.parse(e.dataJson) as unknown;
  const metadata = JSON.parse(e.metadataJson) as EventMetadata;
  const actual = storedEventHash({ stream: e.stream, revision: e.revision, position: e.position, type: e.type, data, metadata });
  return { stream: e.stream, revision: e.revision, prevHash: metadata.prevHash, hash: metadata.hash, actual };
}

// Where the metadata's chain members are, as the scan of its text finds them.
// (Numbers, not an object per event: verification scans every event of the ledger.)
let scanned = '';
let hashName = -1;
let hashStart = -1;
let hashEnd = -1;
let prevHashStart = -1;
let prevHashEnd = -1;

const noteChainMember = (nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void => {
  const length = nameEnd - nameStart;
  if (length === 6 && scanned.startsWith('"hash"', nameStart)) {
    hashName = nameStart;
    hashStart = valueStart;
    hashEnd = valueEnd;
  } else if (length === 10 && scanned.startsWith('"prevHash"', nameStart)) {
    prevHashStart = valueStart;
    prevHashEnd = valueEnd;
  }
};

/** A string member's value as written, when it is a string written with no escape (so the text is the value). */
function plainString(text: string, start: number, end: number): string | undefined {
  if (text.charCodeAt(start) !== 0x22) return undefined;
  const inner = text.slice(start + 1, end - 1);
  return inner.includes('\\') ? undefined : inner;
}

/** The hash from the stored texts themselves, when both are canonical and the chain members plain strings. */
function hashedAsStored(e: StoredEventJson): Rehashed | undefined {
  const { dataJson, metadataJson: m } = e;
  // An edited table can hold anything in any column.
  if (typeof dataJson !== 'string' || typeof m !== 'string' || typeof e.stream !== 'string' || typeof e.type !== 'string') return undefined;
  if (!Number.isSafeInteger(e.revision) || !isCanonicalText(dataJson)) return undefined;
  scanned = m;
  hashName = prevHashStart = -1;
  try {
    if (!isCanonicalText(m, noteChainMember) || hashName < 0 || prevHashStart < 0) return undefined;
    const nameStart = hashName;
    const valueEnd = hashEnd;
    const hash = plainString(m, hashStart, valueEnd);
    const prevHash = plainString(m, prevHashStart, prevHashEnd);
    if (hash === undefined || prevHash === undefined) return undefined;
    // Cut `,"hash":"…"` (or `"hash":"…",` when it comes first): the canonical text of the rest.
    const unsealed =
      m.charCodeAt(nameStart - 1) === 0x2c
        ? m.slice(0, nameStart - 1) + m.slice(valueEnd)
        : m.charCodeAt(valueEnd) === 0x2c
          ? m.slice(0, nameStart) + m.slice(valueEnd + 1)
          : m.slice(0, nameStart) + m.slice(valueEnd);
    const body = chainBody(dataJson, unsealed, String(e.revision), stringJson(e.stream), stringJson(e.type));
    return { stream: e.stream, revision: e.revision, prevHash, hash, actual: hashChainBody(prevHash, body) };
  } finally {
    scanned = '';
  }
}
