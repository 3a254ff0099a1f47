import type { EventMetadata, StoredEvent } from '../../events/index.js';
import { withoutMember } from './canonical-members.js';
import { stringJson } from './canonical-json.js';
import { isCanonicalText } from './canonical-text.js';
import { chainBody, hashChainBody, storedEventHash } from './chain-hash.js';
import type { StoredEventJson } from './port.js';

/** An event's chain fields and the hash its content gives. */
export interface Rehashed {
  stream: string;
  revision: number;
  metadata: EventMetadata;
  actual: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The chain hash of an event read as the JSON texts its store keeps. Since stores write
 * canonicalJson(data) and canonicalJson(metadata), the body the hash covers is, for an untouched
 * event, those very texts with the metadata's hash member cut out: hashed as stored, not written
 * again. That holds only where each text is shown to be the canonical text of what it parses to
 * (`isCanonicalText`; the parse it needs also shows each text is one whole JSON value, so the
 * joined body cannot be read two ways). Anything else (a ledger written before texts were
 * canonical, an edited row, a number the check cannot vouch for) is hashed from its parsed
 * values exactly as `storedEventHash` does. Either way the answer is the one the values give.
 * Throws, as reading the store would, on text that is not JSON.
 */
export function rehashStoredJson(e: StoredEventJson): Rehashed {
  const data = JSON.parse(e.dataJson) as unknown;
  const metadata = JSON.parse(e.metadataJson) as EventMetadata;
  const body = bodyFromText(e, data, metadata);
  const actual =
    body !== undefined
      ? hashChainBody(metadata.prevHash, body)
      : storedEventHash({ stream: e.stream, revision: e.revision, position: e.position, type: e.type, data, metadata });
  return { stream: e.stream, revision: e.revision, metadata, actual };
}

function bodyFromText(e: StoredEventJson, data: unknown, metadata: unknown): string | undefined {
  if (!isRecord(metadata) || typeof metadata['prevHash'] !== 'string' || typeof metadata['hash'] !== 'string') return undefined;
  if (!Number.isSafeInteger(e.revision) || !isCanonicalText(e.dataJson, data) || !isCanonicalText(e.metadataJson, metadata)) return undefined;
  const unsealed = withoutMember(e.metadataJson, metadata, 'hash');
  if (unsealed === undefined) return undefined;
  return chainBody(e.dataJson, unsealed, String(e.revision), stringJson(e.stream), stringJson(e.type));
}

/** Recomputes an event's chain hash: from its values, or from the JSON text its store keeps. */
export function rehash(e: StoredEvent | StoredEventJson): Rehashed {
  if ('dataJson' in e) return rehashStoredJson(e);
  return { stream: e.stream, revision: e.revision, metadata: e.metadata, actual: storedEventHash(e) };
}
