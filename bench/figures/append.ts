import { openDatabase } from '../../src/store/sqlite/schema.js';
import { openSqliteReadOnly, SqliteEventStore } from '../../src/store/sqlite/index.js';
import type { InsertRow } from '../../src/store/sqlite/rows.js';
import type { Batch, LedgerGenerator } from '../generator.js';
import { collectGarbage, log, now } from '../measure.js';

/** The same INSERT the store runs, so the baseline writes exactly the rows the store wrote. */
const INSERT = `INSERT INTO events (position, stream, revision, type, event_id, recorded_at, data, metadata, hash, prev_hash)
  VALUES (@position, @stream, @revision, @type, @event_id, @recorded_at, @data, @metadata, @hash, @prev_hash)`;

export interface Appended {
  events: number;
  appends: number;
  /** Time spent inside the appends (or inserts) only, ms. */
  ms: number;
  /** Events per append, in order: the raw baseline commits the same transactions. */
  sizes: number[];
}

/** Appends `batches` through the store port, timing only the appends (generation is not counted). */
export async function appendThroughStore(path: string, batches: Iterable<Batch>, chunkEvents = 20_000): Promise<Appended> {
  const store = new SqliteEventStore(path);
  const sizes: number[] = [];
  let ms = 0;
  let events = 0;
  let chunk: Batch[] = [];
  let chunkSize = 0;
  const flush = async (): Promise<void> => {
    collectGarbage();
    const start = now();
    for (const batch of chunk) await store.append(batch.stream, batch.events);
    ms += now() - start;
    chunk = [];
    chunkSize = 0;
  };
  try {
    for (const batch of batches) {
      chunk.push(batch);
      sizes.push(batch.events.length);
      chunkSize += batch.events.length;
      events += batch.events.length;
      if (chunkSize >= chunkEvents) {
        const crossed = events % 100_000 < chunkSize;
        await flush();
        if (crossed) log(`  appended ${events.toLocaleString('en')} events`);
      }
    }
    await flush();
  } finally {
    await store.close();
  }
  return { events, appends: sizes.length, ms, sizes };
}

/**
 * The baseline: raw better-sqlite3 inserts of the very rows the store wrote (read back from its
 * file), into the same schema with the same durability (WAL, synchronous=FULL), committed in the
 * same transactions. Reading the rows back is not timed.
 */
export function rawInserts(sourcePath: string, targetPath: string, sizes: readonly number[], chunkEvents = 20_000): Appended {
  const source = openSqliteReadOnly(sourcePath);
  const target = openDatabase(targetPath);
  try {
    const rows = source
      .prepare<[], InsertRow>('SELECT position, stream, revision, type, event_id, recorded_at, data, metadata, hash, prev_hash FROM events ORDER BY position')
      .iterate();
    const insert = target.prepare<[InsertRow]>(INSERT);
    const commit = target.transaction((batch: InsertRow[]) => {
      for (const row of batch) insert.run(row);
    });
    let ms = 0;
    let events = 0;
    let next = 0;
    while (next < sizes.length) {
      // Load a chunk of whole transactions, then time committing them.
      const chunk: InsertRow[][] = [];
      let loaded = 0;
      while (next < sizes.length && loaded < chunkEvents) {
        const batch: InsertRow[] = [];
        for (let i = 0; i < sizes[next]!; i++) {
          const row = rows.next();
          if (row.done) throw new Error(`the store holds fewer rows than were appended (${events + loaded + i})`);
          batch.push(row.value);
        }
        chunk.push(batch);
        loaded += batch.length;
        next++;
      }
      collectGarbage();
      const start = now();
      for (const batch of chunk) commit.immediate(batch);
      ms += now() - start;
      events += loaded;
    }
    rows.return?.();
    return { events, appends: sizes.length, ms, sizes: [...sizes] };
  } finally {
    source.close();
    target.close();
  }
}

/** The first `count` events of the ledger, as one-event appends in global order. */
export function firstEvents(generator: LedgerGenerator, count: number): Batch[] {
  const out: Batch[] = [];
  for (const batch of generator.batches()) {
    for (const event of batch.events) {
      if (out.length >= count) return out;
      out.push({ stream: batch.stream, events: [event] });
    }
  }
  return out;
}

/** The first appends of `batches` that hold `count` events between them (all of them, if fewer). */
export function firstBatches(batches: readonly Batch[], count: number): Batch[] {
  const out: Batch[] = [];
  let events = 0;
  for (const batch of batches) {
    if (events >= count) break;
    out.push(batch);
    events += batch.events.length;
  }
  return out;
}

/** The first `count` events regrouped by stream into appends of (up to) `size` events, as an importer would write them. */
export function inBatchesOf(generator: LedgerGenerator, count: number, size: number): Batch[] {
  const byStream = new Map<string, Batch['events']>();
  let taken = 0;
  outer: for (const batch of generator.batches()) {
    for (const event of batch.events) {
      if (taken++ >= count) break outer;
      const list = byStream.get(batch.stream);
      if (list) list.push(event);
      else byStream.set(batch.stream, [event]);
    }
  }
  const out: Batch[] = [];
  for (const [stream, events] of byStream) {
    for (let i = 0; i < events.length; i += size) out.push({ stream, events: events.slice(i, i + size) });
  }
  return out;
}
