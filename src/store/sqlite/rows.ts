import type { StoredEvent } from '../../../events/index.js';
import type { StoredEventJson } from '../port.js';
import type { SqliteDatabase } from './schema.js';

/** The columns the store reads back; the rest exist for tools that query without parsing JSON. */
export interface EventRow {
  position: number;
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

const COLUMNS = 'position, stream, revision, type, data, metadata';

/** Every event with first ≤ position ≤ last, in order (EventTuple rows): read here and by a verify worker. */
export const RANGE_QUERY = `SELECT ${COLUMNS} FROM events WHERE position >= ? AND position <= ? ORDER BY position`;

/** Every column of a row (InsertRow): what the CLI's verify reads and checks. */
export const ROW_COLUMNS = `${COLUMNS}, event_id, recorded_at, hash, prev_hash`;

/** The same range as whole rows. */
export const ROW_RANGE_QUERY = `SELECT ${ROW_COLUMNS} FROM events WHERE position >= ? AND position <= ? ORDER BY position`;

/**
 * JSON.parse of a stored column, naming the event when the text is not JSON (an edited or damaged
 * row): a bare "Expected property name" names no event a person could go and look at.
 */
function parseColumn(text: string, column: 'data' | 'metadata', position: number, stream: string, revision: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SyntaxError(`the event at position ${position} (${stream} revision ${revision}) has ${column} that is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** No zod here: events were validated on the way in and the hash chain covers what was stored. */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    stream: row.stream,
    revision: row.revision,
    position: row.position,
    type: row.type,
    data: parseColumn(row.data, 'data', row.position, row.stream, row.revision),
    metadata: parseColumn(row.metadata, 'metadata', row.position, row.stream, row.revision) as StoredEvent['metadata'],
  };
}

/** A row of `$all` as an array (better-sqlite3's raw mode): no object per row while paging. */
export type EventTuple = [position: number, stream: string, revision: number, type: string, data: string, metadata: string];

export function tupleToStoredEvent(row: EventTuple): StoredEvent {
  return {
    stream: row[1],
    revision: row[2],
    position: row[0],
    type: row[3],
    data: parseColumn(row[4], 'data', row[0], row[1], row[2]),
    metadata: parseColumn(row[5], 'metadata', row[0], row[1], row[2]) as StoredEvent['metadata'],
  };
}

export const tupleToStoredEventJson = (row: EventTuple): StoredEventJson => ({
  stream: row[1],
  revision: row[2],
  position: row[0],
  type: row[3],
  dataJson: row[4],
  metadataJson: row[5],
});

export interface InsertRow {
  position: number;
  stream: string;
  revision: number;
  type: string;
  event_id: string;
  recorded_at: string;
  data: string;
  metadata: string;
  hash: string;
  prev_hash: string;
}

/** Prepared once per connection: preparing is a large share of a small query's cost. */
export function prepareStatements(db: SqliteDatabase) {
  return {
    tail: db.prepare<[string], { revision: number; position: number; hash: string }>(
      'SELECT revision, position, hash FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1',
    ),
    head: db.prepare<[], number | null>('SELECT max(position) FROM events').pluck(),
    streamRevision: db.prepare<[string], number | null>('SELECT max(revision) FROM events WHERE stream = ?').pluck(),
    insert: db.prepare<[InsertRow]>(
      `INSERT INTO events (position, stream, revision, type, event_id, recorded_at, data, metadata, hash, prev_hash)
       VALUES (@position, @stream, @revision, @type, @event_id, @recorded_at, @data, @metadata, @hash, @prev_hash)`,
    ),
    byEventId: db.prepare<[string], EventRow & { event_id: string }>(`SELECT ${COLUMNS}, event_id FROM events WHERE event_id = ?`),
    // A negative LIMIT means no limit in SQLite.
    forwards: db.prepare<[string, number, number], EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
    ),
    backwards: db.prepare<[string, number, number], EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    ),
    after: db.prepare<[number, number], EventTuple>(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true),
    // Named as the port names them, so each row is a StoredEventJson as it comes.
    streamJson: db.prepare<[string], EventTuple>(`SELECT ${COLUMNS} FROM events WHERE stream = ? ORDER BY revision`).raw(true),
    afterJson: db.prepare<[number, number], EventTuple>(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true),
    range: db.prepare<[number, number], EventTuple>(RANGE_QUERY).raw(true),
    firstAtOrAfter: db.prepare<[number], number | null>('SELECT min(position) FROM events WHERE position >= ?').pluck(),
    ping: db.prepare<[], number>('SELECT 1').pluck(),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
