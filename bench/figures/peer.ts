import { getSQLiteEventStore } from '@event-driven-io/emmett-sqlite';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import type { Batch } from '../generator.js';
import { collectGarbage, now, type Pass } from '../measure.js';

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

const openEmmett = (fileName: string): EmmettStore => getSQLiteEventStore({ fileName, schema: { autoMigration: 'CreateOrUpdate' } });

/**
 * Emmett's SQLite event store (@event-driven-io/emmett-sqlite, with sqlite3) as its README sets
 * it up, in a fresh file, fed the same appends as ours (one event each, or batches of 100).
 */
export async function emmettAppends(path: string, batches: readonly Batch[]): Promise<Pass> {
  const store = openEmmett(path);
  // The first call creates the schema: not part of the figure.
  await store.readStream('warm-up');
  let events = 0;
  collectGarbage();
  const start = now();
  for (const batch of batches) {
    await append(store, batch.stream, batch.events.map(toEmmett));
    events += batch.events.length;
  }
  return { events, ms: now() - start };
}

/** Emmett reading back every stream `emmettAppends` wrote from `batches`; throws unless every event comes back. */
export async function emmettReads(path: string, batches: readonly Batch[]): Promise<Pass> {
  const store = openEmmett(path);
  const streams = [...new Set(batches.map((b) => b.stream))];
  const appended = batches.reduce((sum, b) => sum + b.events.length, 0);
  let read = 0;
  collectGarbage();
  const start = now();
  for (const stream of streams) read += (await store.readStream(stream)).events.length;
  const ms = now() - start;
  if (read !== appended) throw new Error(`Emmett read ${read} events back, ${appended} were appended`);
  return { events: read, ms };
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
