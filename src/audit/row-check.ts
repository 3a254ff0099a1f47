/**
 * A row of the events table as the CLI's `verify` reads it: tolerantly (a row whose JSON was
 * damaged still comes out, so verification names it instead of aborting the read) and checked
 * against its own plain columns. Pure, so that a verify worker runs it on the rows it reads.
 */
import type { StoredEvent } from '../../events/index.js';
import type { StoredEventJson } from '../store/port.js';
import type { InsertRow } from '../store/sqlite/rows.js';

/** An event as read for verification, with what its row's plain columns say when they disagree. */
export interface ReadEvent {
  /** As its stored JSON texts when they parse (verification hashes those), else as tolerant values. */
  event: StoredEvent | StoredEventJson;
  /** Set when the row's event_id/hash/prev_hash columns differ from its metadata, or its JSON does not parse. */
  rowProblem?: string;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A row as an event, whatever was done to it: unparseable JSON is kept as text, so its hash cannot match. */
export function rowToReadEvent(row: InsertRow): ReadEvent {
  const problems: string[] = [];
  const data = parseJson(row.data);
  if (!data.ok) problems.push('data is not valid JSON');
  const meta = parseJson(row.metadata);
  let metadata: StoredEvent['metadata'];
  if (meta.ok && isRecord(meta.value)) {
    metadata = meta.value as StoredEvent['metadata'];
    if (metadata.eventId !== row.event_id) problems.push(`event_id column ${row.event_id} differs from metadata.eventId ${String(metadata.eventId)}`);
    if (metadata.hash !== row.hash) problems.push(`hash column ${row.hash} differs from metadata.hash ${String(metadata.hash)}`);
    if (metadata.prevHash !== row.prev_hash) problems.push(`prev_hash column differs from metadata.prevHash`);
  } else {
    problems.push('metadata is not a JSON object');
    // Enough to carry on: the chain fields from their columns; the recomputed hash will not match.
    metadata = { eventId: row.event_id, recordedAt: row.recorded_at, actor: '', correlationId: '', causationId: '', schemaVersion: 0, prevHash: row.prev_hash, hash: row.hash };
  }
  // Both texts parse: verification reads them itself (it must parse what it hashes, so the values
  // parsed here only served the checks above).
  const event: StoredEvent | StoredEventJson =
    data.ok && meta.ok && isRecord(meta.value)
      ? { stream: row.stream, revision: row.revision, position: row.position, type: row.type, dataJson: row.data, metadataJson: row.metadata }
      : { stream: row.stream, revision: row.revision, position: row.position, type: row.type, data: data.ok ? data.value : row.data, metadata };
  return problems.length > 0 ? { event, rowProblem: problems.join('; ') } : { event };
}
