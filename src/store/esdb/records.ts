import type { EventData, JSONType, Position, RecordedEvent } from '@eventstore/db-client';
import { EventMetadata, type StoredEvent } from '../../../events/index.js';
import { ulidToUuid } from './ids.js';

/** An event in the database that the ledger did not write (or that was altered beyond parsing). */
export class ForeignEventError extends Error {
  override readonly name = 'ForeignEventError';
}

/** What the server sends for "no position" (ulong.MaxValue). */
const NO_POSITION = 2n ** 64n - 1n;

/** System streams and events ($settings, $stats-…, $epoch-information, links "$>") are the database's, not the ledger's. */
export function isSystemEvent(event: { streamId: string; type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

/**
 * The port's position is the event's commit position. Events written through gRPC commit
 * themselves, so commit = prepare = the event's own offset in the log: unique and increasing.
 */
export function toPortPosition(position: Position | undefined, where: string): number {
  if (position === undefined || position.commit === NO_POSITION) {
    throw new ForeignEventError(`${where} came without a $all position; the adapter needs a server that reports one on every read, as EventStoreDB 24.10 does`);
  }
  if (position.commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ForeignEventError(`${where} has a commit position beyond 2^53: ${position.commit}`);
  }
  return Number(position.commit);
}

export function toClientPosition(position: number): Position {
  const value = BigInt(position);
  return { commit: value, prepare: value };
}

export function toStoredEvent(event: RecordedEvent): StoredEvent {
  const where = `${event.streamId}@${event.revision}`;
  if (!event.isJson) throw new ForeignEventError(`${where} (${event.type}) is not a JSON event`);
  const metadata = EventMetadata.safeParse(event.metadata);
  if (!metadata.success) {
    throw new ForeignEventError(`${where} (${event.type}) carries no ledger metadata: ${metadata.error.issues[0]?.message ?? 'invalid'}`);
  }
  const data: unknown = event.data;
  return {
    stream: event.streamId,
    revision: Number(event.revision),
    position: toPortPosition(event.position, where),
    type: event.type,
    data,
    metadata: metadata.data,
  };
}

/** Data as the event's JSON body; our metadata, chain fields included, as its JSON metadata. */
export function toEventData(event: { type: string; data: unknown; metadata: EventMetadata }): EventData {
  return {
    id: ulidToUuid(event.metadata.eventId),
    contentType: 'application/json',
    type: event.type,
    // The client JSON.stringifies whatever it is given; assertJsonEvents checked that it can.
    data: event.data as JSONType,
    metadata: event.metadata,
  };
}
