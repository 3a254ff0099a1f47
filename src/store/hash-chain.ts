/**
 * The stream hash chain's front door: the hash (chain-hash.ts) over RFC 8785 text
 * (canonical-json.ts), sealing new events (seal-events.ts), recomputing a stored event's hash,
 * from its stored text where that is shown canonical (rehash-stored-json.ts, canonical-text.ts),
 * and checking a stream's chain, here.
 */
import { ZERO_HASH, type StoredEvent } from '../../events/index.js';
import type { StoredEventJson } from './port.js';
import { rehash } from './rehash-stored-json.js';

export { canonicalJson } from './canonical-json.js';
export { chainHash, storedEventHash, type ChainInput } from './chain-hash.js';
export { sealEvents, sealEventsJson, type SealedEventJson } from './seal-events.js';
export { rehash, type Rehashed } from './rehash-stored-json.js';

export type ChainFailureReason = 'hash-mismatch' | 'broken-link' | 'gap' | 'out-of-order';
export interface ChainFailure {
  stream: string;
  revision: number;
  reason: ChainFailureReason;
  detail: string;
}

/**
 * Checks one stream's events, given in stored order: revisions run 0,1,2…, each links to the
 * previous hash, and each hash matches its content. Reports every failure, not just the first.
 * `onEvent` is told each event's position and the hash it claims, for a caller that goes on to
 * check the log root from the hashes it has just checked rather than reading them again.
 */
export function verifyStreamChain(
  events: ReadonlyArray<StoredEvent | StoredEventJson>,
  onEvent?: (position: number, hash: string) => void,
): ChainFailure[] {
  const failures: ChainFailure[] = [];
  let prevHash = ZERO_HASH;
  let expectedRevision = 0;
  for (const item of events) {
    const e = rehash(item);
    if (e.revision < expectedRevision) {
      failures.push({ stream: e.stream, revision: e.revision, reason: 'out-of-order', detail: `revision ${e.revision} after ${expectedRevision - 1}` });
    } else if (e.revision > expectedRevision) {
      failures.push({ stream: e.stream, revision: e.revision, reason: 'gap', detail: `revisions ${expectedRevision}..${e.revision - 1} missing` });
    }
    if (e.prevHash !== prevHash) {
      failures.push({ stream: e.stream, revision: e.revision, reason: 'broken-link', detail: `prevHash ${e.prevHash} does not match ${prevHash}` });
    }
    const { hash } = e;
    onEvent?.(item.position, hash);
    if (e.actual !== hash) {
      failures.push({ stream: e.stream, revision: e.revision, reason: 'hash-mismatch', detail: `stored ${hash}, computed ${e.actual}` });
    }
    prevHash = hash;
    expectedRevision = Math.max(expectedRevision, e.revision + 1);
  }
  return failures;
}
