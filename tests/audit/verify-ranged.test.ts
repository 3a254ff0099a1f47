import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LedgerWalk } from '../../src/audit/ledger-walk.js';
import { walkRanges } from '../../src/audit/ranged-walk.js';
import { RehashWorker } from '../../src/audit/rehash-worker.js';
import { ledgerEvents, ledgerPages, verifyLedger, type VerifyReport } from '../../src/audit/verify-ledger.js';
import { rowToReadEvent } from '../../src/audit/row-check.js';
import type { PositionRanges, StoredEventJson } from '../../src/store/port.js';
import { ROW_RANGE_QUERY, type InsertRow } from '../../src/store/sqlite/rows.js';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import { newEvent, newStream } from '../store/fixtures.js';
import { assertionData, ledgerRows, tamperRows, until, watchWorkerStarts, type LedgerRow } from './worker-fixtures.js';

const STREAMS = 5;
const EVENTS = 1_500;
/** Positions per range here: small, so that many ranges cross to the worker. */
const RANGE = 40;

describe('verifying a ledger file by range, shared with a worker that reads its own ranges', () => {
  let dir: string;
  let path: string;
  let store: SqliteEventStore;
  let started: RehashWorker[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-verify-ranged-'));
    path = join(dir, 'ledger.db');
    store = new SqliteEventStore(path);
    const streams = Array.from({ length: STREAMS }, newStream);
    for (let i = 0; i < EVENTS; i += 25) {
      await store.append(streams[(i / 25) % STREAMS]!, Array.from({ length: 25 }, (_, k) => newEvent('AssertionRecorded', assertionData(i + k))));
    }
    started = watchWorkerStarts();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(started.map((w) => w.close()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function edit(change: (db: Database.Database, rows: LedgerRow[]) => void): void {
    const db = new Database(path);
    try {
      change(db, ledgerRows(db));
    } finally {
      db.close();
    }
  }

  /** worker-fixtures' tampering, and a claimed hash that is not a string, a revision stored as text, and a run of positions gone. */
  function tamper(): void {
    edit((db, rows) => {
      tamperRows(db, rows);
      const set = db.prepare('UPDATE events SET metadata = ? WHERE position = ?');
      set.run(rows[1_050]!.metadata.replace(/"hash":"[0-9a-f]{64}"/, '"hash":17'), rows[1_050]!.position);
      db.prepare(`UPDATE events SET revision = CAST(revision AS TEXT) WHERE position = ?`).run(rows[1_200]!.position);
      db.prepare('DELETE FROM events WHERE position >= ? AND position < ?').run(rows[300]!.position, rows[300]!.position + 3 * RANGE);
    });
  }

  const onOneThread = (): Promise<VerifyReport> => verifyLedger(ledgerEvents(store), { worker: false });

  async function* oneByOne<T>(events: T[]): AsyncGenerator<T> {
    yield* events;
  }

  /** The walk by range, once the worker is ready, so that ranges really cross to it. */
  async function walkedByRange(ranges: PositionRanges = store.positionRanges()!): Promise<{ walk: LedgerWalk; last: number; worker: RehashWorker }> {
    const worker = RehashWorker.start(ranges.file)!;
    await until(() => worker.ready);
    const walk = new LedgerWalk();
    try {
      const last = await walkRanges(ranges, walk, worker, { size: RANGE });
      return { walk, last, worker };
    } finally {
      await worker.close();
    }
  }

  const reportOf = (walk: LedgerWalk) => ({ ok: walk.failures.length === 0, checked: walk.checked, root: walk.root(), failures: walk.failures });

  it('gives the report one thread gives on a tampered ledger, with ranges read by the worker', async () => {
    tamper();
    const posted = vi.spyOn(RehashWorker.prototype, 'postRange');
    const { walk, last, worker } = await walkedByRange();
    const expected = await onOneThread();
    expect(expected.failures.map((f) => f.reason)).toEqual(expect.arrayContaining(['hash-mismatch', 'broken-link', 'gap']));
    expect(reportOf(walk)).toEqual(expected);
    expect(posted.mock.calls.length).toBeGreaterThan(5);
    expect(last).toBe(store.positionRanges()!.head());
    expect(worker.running).toBe(false);
  });

  it('gives that report through verifyLedger, and ends the worker it started', async () => {
    tamper();
    const report = await verifyLedger(ledgerPages(store), { worker: { afterEvents: 0 } });
    expect(report).toEqual(await onOneThread());
    expect(started).toHaveLength(1);
    expect(started[0]!.running).toBe(false);
  });

  it('starts no worker for a ledger of 40,000 events or fewer by default', async () => {
    expect(await verifyLedger(ledgerPages(store))).toMatchObject({ ok: true, checked: EVENTS });
    expect(started).toHaveLength(0);
  });

  it('reads an in-memory ledger as pages: no other thread can open it', async () => {
    const posted = vi.spyOn(RehashWorker.prototype, 'postRange');
    const memory = new SqliteEventStore(':memory:');
    try {
      await memory.append(newStream(), [newEvent('AssertionRecorded', assertionData(1)), newEvent('AssertionRecorded', assertionData(2))]);
      expect(memory.positionRanges()).toBeUndefined();
      expect(await verifyLedger(ledgerPages(memory), { worker: { afterEvents: 0 } })).toMatchObject({ ok: true, checked: 2 });
    } finally {
      await memory.close();
    }
    expect(posted).not.toHaveBeenCalled();
  });

  it('throws what one thread throws on text that is not JSON, read here or by the worker', async () => {
    edit((db, rows) => {
      const set = db.prepare('UPDATE events SET data = ? WHERE position = ?');
      set.run(rows[700]!.data.slice(1), rows[700]!.position);
      set.run(rows[701]!.data.slice(2), rows[701]!.position);
    });
    const error = await onOneThread().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyntaxError);
    await expect(walkedByRange()).rejects.toThrow((error as Error).message);
    await expect(verifyLedger(ledgerPages(store), { worker: false })).rejects.toThrow((error as Error).message);
  });

  it('gives the same report when the worker fails part way', async () => {
    tamper();
    const ranges = store.positionRanges()!;
    let reads = 0;
    const crashing: PositionRanges = {
      ...ranges,
      readRange: (first, last) => {
        // A message the worker cannot read makes it throw; what it had is done again here.
        if (++reads === 4) (started[0] as unknown as { port: MessagePort }).port.postMessage(null);
        return ranges.readRange(first, last);
      },
    };
    const { walk } = await walkedByRange(crashing);
    expect(started[0]!.failed).toBe(true);
    expect(reportOf(walk)).toEqual(await onOneThread());
  });

  it('reads on past the head it began with, as reading $all to its end would', async () => {
    const ranges = store.positionRanges()!;
    const real = ranges.head();
    let heads = 0;
    // The first look at the head sees it 700 positions back: the rest came "while verifying".
    const growing: PositionRanges = { ...ranges, head: () => (heads++ === 0 ? real - 700 : real) };
    const { walk, last } = await walkedByRange(growing);
    expect(reportOf(walk)).toEqual(await onOneThread());
    expect(walk.checked).toBe(EVENTS);
    expect(last).toBe(real);
  });

  it('throws what reading a range threw only once the walk gets there, after what comes before it', async () => {
    edit((db, rows) => db.prepare('UPDATE events SET data = ? WHERE position = ?').run(rows[100]!.data.slice(1), rows[100]!.position));
    const ranges = store.positionRanges()!;
    const failing: PositionRanges = {
      ...ranges,
      readRange: (first, last) => {
        if (first >= 10 * RANGE) throw new Error('the disk went away');
        return ranges.readRange(first, last);
      },
    };
    // A worker that takes every range and answers none, then fails: the walk takes the ranges
    // back from the last (reading the failing ones first), then the rest once it has failed.
    let failed = false;
    let ids = 0;
    const silent = {
      ready: true,
      inFlight: 0,
      get failed() {
        return failed;
      },
      postRange: () => ids++,
      take: () => undefined,
      forget: () => undefined,
      settled: async () => void (failed = true),
    };
    await expect(walkRanges(failing, new LedgerWalk(), silent as unknown as RehashWorker, { size: RANGE })).rejects.toThrow(SyntaxError);
    expect(ids).toBeGreaterThan(10);
  });

  it("checks whole rows as the CLI's verify does, here and on the worker, and walks them as one thread does", async () => {
    tamper();
    edit((db, rows) => {
      // Columns that disagree with the JSON, data that no longer parses, metadata that is not an object.
      db.prepare("UPDATE events SET event_id = 'edited' WHERE position = ?").run(rows[40]!.position);
      db.prepare("UPDATE events SET hash = 'edited', prev_hash = 'edited' WHERE position = ?").run(rows[480]!.position);
      db.prepare('UPDATE events SET data = substr(data, 2) WHERE position = ?').run(rows[720]!.position);
      db.prepare("UPDATE events SET metadata = '[]' WHERE position = ?").run(rows[1_300]!.position);
    });
    const db = new Database(path, { readonly: true });
    try {
      const rowRange = db.prepare<[number, number], InsertRow>(ROW_RANGE_QUERY);
      const readRows = (first: number, last: number): InsertRow[] => rowRange.all(first, last);
      // One thread, as the CLI reads: every row checked, then verified in order.
      const oneProblems: string[] = [];
      const read = readRows(0, Number.MAX_SAFE_INTEGER).map(rowToReadEvent);
      for (const { event, rowProblem } of read) if (rowProblem !== undefined) oneProblems.push(`${event.stream}@${event.revision}: ${rowProblem}`);
      const expected = await verifyLedger(oneByOne(read.map((r) => r.event)), { worker: false });

      const problems: string[] = [];
      const posted = vi.spyOn(RehashWorker.prototype, 'postRange');
      const ranges = store.positionRanges()!;
      const worker = RehashWorker.start(ranges.file)!;
      await until(() => worker.ready);
      const walk = new LedgerWalk();
      try {
        await walkRanges(ranges, walk, worker, { size: RANGE, rows: { readRows, report: (stream, revision, problem) => problems.push(`${stream}@${revision}: ${problem}`) } });
      } finally {
        await worker.close();
      }
      expect(posted.mock.calls.some(([, , rows]) => rows === true)).toBe(true);
      expect(oneProblems.length).toBeGreaterThanOrEqual(4);
      expect(problems.sort()).toEqual(oneProblems.sort());
      expect(reportOf(walk)).toEqual(expected);
    } finally {
      db.close();
    }
  });

  it('offers ranges of the stored texts as $all gives them', async () => {
    const ranges = store.positionRanges()!;
    const all: StoredEventJson[] = [];
    for await (const e of store.readAllJson!()) all.push(e);
    expect(ranges.head()).toBe(all[all.length - 1]!.position);
    expect(ranges.readRange(all[10]!.position, all[19]!.position)).toEqual(all.slice(10, 20));
    expect(ranges.firstAtOrAfter(all[all.length - 1]!.position + 1)).toBeUndefined();
    edit((db) => db.prepare('DELETE FROM events WHERE position = ?').run(all[5]!.position));
    expect(ranges.firstAtOrAfter(all[5]!.position)).toBe(all[6]!.position);
  });
});
