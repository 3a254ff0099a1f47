export { assertExpectedRevision, satisfiesExpectedRevision } from '../expected-revision.js';
import { NO_STREAM, type AppendExpectedRevision } from '@eventstore/db-client';
import { IdempotencyConflictError } from '../errors.js';
import type { NewEvent } from '../port.js';
import { isUlid } from './ids.js';

/**
 * The exact expectation the adapter sends: always the revision it sealed the chain onto, so a
 * concurrent writer makes the server refuse rather than fork the chain.
 */
export function exactRevision(revision: number): AppendExpectedRevision {
  return revision === -1 ? NO_STREAM : BigInt(revision);
}

/** The client reports "no stream" as a string; the port says -1. */
export function revisionFromClient(revision: bigint | string): number {
  return typeof revision === 'bigint' ? Number(revision) : -1;
}

/** Checks a batch before anything is read or sent: ULID ids, no id twice, JSON-representable bodies. */
export function assertAppendable(events: readonly NewEvent[]): void {
  const seen = new Set<string>();
  for (const { type, data, metadata } of events) {
    if (!isUlid(metadata.eventId)) throw new TypeError(`event id must be a ULID, got ${JSON.stringify(metadata.eventId)}`);
    if (seen.has(metadata.eventId)) throw new IdempotencyConflictError(metadata.eventId, 'appears twice in the batch');
    seen.add(metadata.eventId);
    if (type.length === 0) throw new TypeError('event type must not be empty');
    if (JSON.stringify(data) === undefined) throw new TypeError(`event ${metadata.eventId}: data must be a JSON value`);
  }
}
