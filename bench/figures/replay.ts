import Database from 'better-sqlite3';
import { parseStream, upcast, type IncidentEvent, type Recorded } from '../../events/index.js';
import { GlobalReadModels } from '../../projections/global-models.js';
import { IncidentReplay } from '../../projections/incident-replay.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { ledgerPages, verifyLedger } from '../../src/audit/verify-ledger.js';
import { LedgerLog } from '../../src/log/ledger-log.js';
import { eventLeaf, RunningRoot } from '../../src/log/running-root.js';
import { readAllInPages } from '../../src/store/read-all-pages.js';
import { SqliteCheckpointStore } from '../../src/store/checkpoints-sqlite.js';
import { verifyStreamChain } from '../../src/store/hash-chain.js';
import { openSqliteReadOnly, SqliteEventStore, type EventRow } from '../../src/store/sqlite/index.js';
import { collectGarbage, now, type Pass } from '../measure.js';

/**
 * The physical limit of reading the ledger: one SELECT over every row in position order and a
 * JSON.parse of its data and metadata, nothing else.
 */
export function rawDecode(path: string): Pass {
  const db = openSqliteReadOnly(path);
  try {
    const select = db.prepare<[], EventRow>('SELECT position, stream, revision, type, data, metadata FROM events ORDER BY position');
    let events = 0;
    let check = 0;
    collectGarbage();
    const start = now();
    for (const row of select.iterate()) {
      const data = JSON.parse(row.data) as unknown;
      const metadata = JSON.parse(row.metadata) as { eventId: string };
      if (data !== null) check += metadata.eventId.length;
      events++;
    }
    const ms = now() - start;
    if (check === 0 && events > 0) throw new Error('raw decode read nothing');
    return { events, ms };
  } finally {
    db.close();
  }
}

/** The projection runner from position 0 (incident list and source directory), as a server with no checkpoint starts. */
export async function rebuildGlobal(path: string): Promise<Pass> {
  const store = new SqliteEventStore(path);
  const stateDb = new Database(':memory:');
  const runner = new ProjectionRunner(store, { checkpoints: new SqliteCheckpointStore(stateDb) });
  try {
    collectGarbage();
    const start = now();
    await runner.start();
    const ms = now() - start;
    return { events: runner.appliedCount, ms };
  } finally {
    await runner.close();
    await store.close();
    stateDb.close();
  }
}

/**
 * Every read model from position 0 in one pass over `$all`: the global models and, for every
 * incident, the replay its timeline, disputes and histories are views of. Returns the heap the
 * models hold too.
 */
export async function rebuildAll(path: string): Promise<Pass & { heapMiB: number; incidents: number }> {
  const store = new SqliteEventStore(path);
  try {
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const global = new GlobalReadModels();
    const replays = new Map<string, IncidentReplay>();
    let events = 0;
    const start = now();
    for await (const page of readAllInPages(store)) {
      for (const stored of page) {
        events++;
        const kind = parseStream(stored.stream)?.kind;
        if (!kind) continue;
        const event = upcast(stored);
        global.apply(event);
        if (kind !== 'incident') continue;
        let replay = replays.get(stored.stream);
        if (!replay) replays.set(stored.stream, (replay = new IncidentReplay()));
        if (replay.offer(event as Recorded<IncidentEvent>) !== 'applied') throw new Error(`replay refused ${stored.stream}@${stored.revision}`);
      }
    }
    const ms = now() - start;
    for (const replay of replays.values()) replay.modelAt();
    collectGarbage();
    const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    if (global.incidents.size !== replays.size) throw new Error('every incident should have a replay');
    return { events, ms, heapMiB, incidents: replays.size };
  } finally {
    await store.close();
  }
}

/** The product's verify (POST /api/audit/verify): every chain and the log root recomputed in one pass over `$all`. */
export async function verifyProduct(path: string): Promise<Pass & { ok: boolean }> {
  const store = new SqliteEventStore(path);
  const db = new Database(path);
  try {
    const log = new LedgerLog(db);
    collectGarbage();
    const start = now();
    const report = await verifyLedger(ledgerPages(store), { log });
    const ms = now() - start;
    return { events: report.checked, ms, ok: report.ok };
  } finally {
    db.close();
    await store.close();
  }
}

/**
 * Verify as the issue words it: read each stream (as its stored texts, which verifyStreamChain
 * hashes as they are once shown canonical) and check it with verifyStreamChain, then recompute
 * the log root from the hashes just checked, put in global order, and compare it with the log's.
 */
export async function verifyByStream(path: string): Promise<Pass & { ok: boolean }> {
  const store = new SqliteEventStore(path);
  const db = openSqliteReadOnly(path);
  const logDb = new Database(path);
  try {
    const streams = db.prepare<[], string>('SELECT DISTINCT stream FROM events').pluck().all();
    const head = db.prepare<[], number | null>('SELECT max(position) FROM events').pluck().get() ?? -1;
    const log = new LedgerLog(logDb);
    collectGarbage();
    const start = now();
    let failures = 0;
    let events = 0;
    // The log's leaves by position, made from the hashes the chains were just checked with: the
    // root needs no second read of the table. Kept as leaves (32 bytes each), not as the hex
    // hashes, which are slices of their event's metadata text and would keep it alive.
    const byPosition = new Array<string | undefined>(head + 1);
    const keep = (position: number, hash: string): void => void (byPosition[position] = eventLeaf(hash));
    for (const stream of streams) {
      const stored = await store.readStreamJson(stream);
      failures += verifyStreamChain(stored, keep).length;
      events += stored.length;
    }
    const leaves = new RunningRoot();
    // An imported ledger may skip positions: the leaves are the events in position order.
    for (const leaf of byPosition) if (leaf !== undefined) leaves.pushLeaf(leaf);
    const root = leaves.rootHex();
    const ms = now() - start;
    // Fewer leaves than events: two events claimed one position.
    const rootOk = leaves.size === events && leaves.size === log.size() && root === log.root(leaves.size);
    return { events, ms, ok: failures === 0 && rootOk };
  } finally {
    logDb.close();
    db.close();
    await store.close();
  }
}

/** Streams that are incidents, with their event counts, largest first. */
export function incidentStreams(path: string): Array<{ stream: string; id: string; events: number }> {
  const db = openSqliteReadOnly(path);
  try {
    return db
      .prepare<[], { stream: string; events: number }>(`SELECT stream, count(*) AS events FROM events WHERE stream LIKE 'incident-%' GROUP BY stream ORDER BY events DESC`)
      .all()
      .map((r) => ({ ...r, id: parseStream(r.stream)!.id }));
  } finally {
    db.close();
  }
}
