import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ZERO_HASH, type EventMetadata, type EventMetadataInput, type StoredEvent } from '../../events/index.js';

/** The fields the chain hash covers: everything about the event except the hash itself. */
export interface ChainInput {
  stream: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadataInput & { prevHash: string };
}

/** RFC 8785 canonical JSON; throws on values JSON cannot represent. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no canonical JSON form');
  return text;
}

/** hash = SHA-256(prevHash bytes ‖ canonical JSON of {stream, revision, type, data, metadata-without-hash}). */
export function chainHash(input: ChainInput): string {
  const body = canonicalJson({
    stream: input.stream,
    revision: input.revision,
    type: input.type,
    data: input.data,
    metadata: input.metadata,
  });
  return createHash('sha256').update(Buffer.from(input.metadata.prevHash, 'hex')).update(body, 'utf8').digest('hex');
}

/** Seals new events onto the end of a stream whose last hash is `prevHash` (ZERO_HASH for a new stream). */
export function sealEvents(
  stream: string,
  firstRevision: number,
  prevHash: string,
  events: ReadonlyArray<{ type: string; data: unknown; metadata: EventMetadataInput }>,
): Array<{ stream: string; revision: number; type: string; data: unknown; metadata: EventMetadata }> {
  let prev = prevHash;
  return events.map((e, i) => {
    const revision = firstRevision + i;
    const metadata = { ...e.metadata, prevHash: prev };
    const hash = chainHash({ stream, revision, type: e.type, data: e.data, metadata });
    prev = hash;
    return { stream, revision, type: e.type, data: e.data, metadata: { ...metadata, hash } };
  });
}

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
 */
export function verifyStreamChain(events: ReadonlyArray<StoredEvent>): ChainFailure[] {
  const failures: ChainFailure[] = [];
  let prevHash = ZERO_HASH;
  let expectedRevision = 0;
  for (const e of events) {
    if (e.revision < expectedRevision) {
      failures.push({ stream: e.stream, revision: e.revision, reason: 'out-of-order', detail: `revision ${e.revision} after ${expectedRevision - 1}` });
    } else if (e.revision > expectedRevision) {
      failures.push({ stream: e.stream, revision: e.revision, reason: 'gap', detail: `revisions ${expectedRevision}..${e.revision - 1} missing` });
    }
    if (e.metadata.prevHash !== prevHash) {
      failures.push({ stream: e.stream, revision: e.revision, reason: 'broken-link', detail: `prevHash ${e.metadata.prevHash} does not match ${prevHash}` });
    }
    const { hash, ...rest } = e.metadata;
    const actual = chainHash({ stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: rest });
    if (actual !== hash) {
      failures.push({ stream: e.stream, revision: e.revision, reason: 'hash-mismatch', detail: `stored ${hash}, computed ${actual}` });
    }
    prevHash = hash;
    expectedRevision = Math.max(expectedRevision, e.revision + 1);
  }
  return failures;
}
