import { getSQLiteEventStore } from '@event-driven-io/emmett-sqlite';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import type { Batch } from '../generator.js';
import { collectGarbage, now, type Pass } from '../measure.js';

export interface PeerResults {
  single: Pass;
  batched: Pass;
  read: Pass;
}

type EmmettEvent = { type: string; data: Record<string, unknown>; metadata: Record<string, unknown> };

const toEmmett = (event: Batch['events'][number]): EmmettEvent => ({
  type: event.type,
  data: event.data as Record<string, unknown>,
  metadata: { ...event.metadata },
});

type EmmettStore = ReturnType<typeof getSQLiteEventStore>;

const isBusy = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';

/**
 * Emmett's sqlite3 layer now and then refuses a commit with SQLITE_BUSY ("SQL statements in
 * progress") although nothing else has the file open; its transaction is rolled back, so the
 * append is tried again (three times at most), the time counted as Emmett's. The read-back
 * check below would catch an append that landed twice.
 */
async function append(store: EmmettStore, stream: string, events: EmmettEvent[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.appendToStream(stream, events);
      return;
    } catch (error) {
      if (attempt >= 3 || !isBusy(error)) throw error;
    }
  }
}

/**
 * Emmett's SQLite event store (@event-driven-io/emmett-sqlite, with sqlite3) as its README sets
 * it up, fed the same events: one event per append, batches of 100 per stream, and reading every
 * stream back.
 */
export async function emmettFigures(singlePath: string, batchPath: string, single: readonly Batch[], batched: readonly Batch[]): Promise<PeerResults> {
  const one = getSQLiteEventStore({ fileName: singlePath, schema: { autoMigration: 'CreateOrUpdate' } });
  // The first call creates the schema: not part of the figure.
  await one.readStream('warm-up');
  collectGarbage();
  let start = now();
  for (const batch of single) await append(one, batch.stream, batch.events.map(toEmmett));
  const singlePass: Pass = { events: single.length, ms: now() - start };

  const many = getSQLiteEventStore({ fileName: batchPath, schema: { autoMigration: 'CreateOrUpdate' } });
  await many.readStream('warm-up');
  let events = 0;
  collectGarbage();
  start = now();
  for (const batch of batched) {
    await append(many, batch.stream, batch.events.map(toEmmett));
    events += batch.events.length;
  }
  const batchedPass: Pass = { events, ms: now() - start };

  const streams = [...new Set(batched.map((b) => b.stream))];
  let read = 0;
  collectGarbage();
  start = now();
  for (const stream of streams) read += (await many.readStream(stream)).events.length;
  const readPass: Pass = { events: read, ms: now() - start };
  if (read !== events) throw new Error(`Emmett read ${read} events back, ${events} were appended`);
  return { single: singlePass, batched: batchedPass, read: readPass };
}

/** Our store reading every stream of the batched set back through the port (the same reads as Emmett's). */
export async function readStreams(path: string, batched: readonly Batch[]): Promise<Pass> {
  const store = new SqliteEventStore(path);
  try {
    const streams = [...new Set(batched.map((b) => b.stream))];
    let events = 0;
    collectGarbage();
    const start = now();
    for (const stream of streams) events += (await store.readStream(stream)).length;
    return { events, ms: now() - start };
  } finally {
    await store.close();
  }
}
