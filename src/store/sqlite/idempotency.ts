import { IdempotencyConflictError } from '../errors.js';
import { canonicalJson } from '../hash-chain.js';
import type { AppendResult, NewEvent } from '../port.js';
import { toStoredEvent, type EventRow } from './rows.js';

/** Two events with one id in a single batch can never both be stored. */
export function assertDistinctEventIds(events: readonly NewEvent[]): void {
  if (events.length < 2) return;
  const seen = new Set<string>();
  for (const { metadata } of events) {
    if (seen.has(metadata.eventId)) throw new IdempotencyConflictError(metadata.eventId, 'appears twice in the batch');
    seen.add(metadata.eventId);
  }
}

/**
 * Decides whether `events` is a retry of a batch already stored. Returns undefined when none of
 * the ids is stored (a genuinely new batch), the original result when every event is stored in
 * `stream` at consecutive revisions with the same type and data, and throws
 * IdempotencyConflictError for anything in between: an id reused for other content is a bug
 * or an attack, never something to paper over.
 */
export function matchRetry(
  stream: string,
  events: readonly NewEvent[],
  lookup: (eventId: string) => EventRow | undefined,
): AppendResult | undefined {
  const rows = events.map((e) => lookup(e.metadata.eventId));
  const firstStored = rows.findIndex((row) => row !== undefined);
  if (firstStored === -1) return undefined;
  const firstNew = rows.findIndex((row) => row === undefined);
  if (firstNew !== -1) {
    throw new IdempotencyConflictError(events[firstStored]!.metadata.eventId, 'the batch repeats some stored events but not all of them');
  }
  const stored = rows as EventRow[];
  const baseRevision = stored[0]!.revision;
  events.forEach((event, i) => {
    const row = stored[i]!;
    const id = event.metadata.eventId;
    if (row.stream !== stream) throw new IdempotencyConflictError(id, `it is stored in stream ${row.stream}`);
    if (row.revision !== baseRevision + i) throw new IdempotencyConflictError(id, 'the stored events are not consecutive in this order');
    if (row.type !== event.type) throw new IdempotencyConflictError(id, `stored as ${row.type}, retried as ${event.type}`);
    if (canonicalJson(JSON.parse(row.data)) !== canonicalJson(event.data)) {
      throw new IdempotencyConflictError(id, 'stored with different data');
    }
  });
  const storedEvents = stored.map(toStoredEvent);
  const last = storedEvents[storedEvents.length - 1]!;
  return { nextExpectedRevision: last.revision, position: last.position, events: storedEvents };
}
