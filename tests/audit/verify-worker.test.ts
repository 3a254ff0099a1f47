import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ledgerEvents, ledgerPages, verifyLedger, type VerifyReport } from '../../src/audit/verify-ledger.js';
import { RehashWorker } from '../../src/audit/rehash-worker.js';
import type { StoredEventJson } from '../../src/store/port.js';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import { newEvent, newStream } from '../store/fixtures.js';
import { assertionData, ledgerRows, tamperRows, until, watchWorkerStarts } from './worker-fixtures.js';

const STREAMS = 4;
const EVENTS = 1_200;

describe('verifying with a rehash worker', () => {
  let dir: string;
  let path: string;
  let store: SqliteEventStore;
  /** Every worker verifyLedger started, to see it used and ended. */
  let started: RehashWorker[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-verify-worker-'));
    path = join(dir, 'ledger.db');
    store = new SqliteEventStore(path);
    const streams = Array.from({ length: STREAMS }, newStream);
    for (let i = 0; i < EVENTS; i += 20) {
      await store.append(streams[(i / 20) % STREAMS]!, Array.from({ length: 20 }, (_, k) => newEvent('AssertionRecorded', assertionData(i + k))));
    }
    started = watchWorkerStarts();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function tamper(): void {
    const db = new Database(path);
    try {
      tamperRows(db, ledgerRows(db));
    } finally {
      db.close();
    }
  }

  async function rows(): Promise<StoredEventJson[]> {
    const out: StoredEventJson[] = [];
    for await (const e of ledgerEvents(store)) out.push(e as StoredEventJson);
    return out;
  }

  /**
   * `$all` for the worker path: the first event alone (which starts the worker), then, once the
   * worker is ready, the rest in pages or one by one, so pages really cross to it.
   */
  async function* viaWorker(events: StoredEventJson[], pages: boolean, pause = true): AsyncGenerator<StoredEventJson | StoredEventJson[]> {
    yield events[0]!;
    await until(() => started[0]?.ready === true);
    for (let i = 1; i < events.length; i += 150) {
      if (pages) yield events.slice(i, i + 150);
      else yield* events.slice(i, i + 150);
      if (pause) await sleep(1);
    }
  }

  async function* oneByOne<T>(events: T[]): AsyncGenerator<T> {
    yield* events;
  }

  const onOneThread = async (events: StoredEventJson[]): Promise<VerifyReport> => verifyLedger(oneByOne(events), { worker: false });

  it.each([
    ['pages', true],
    ['single events', false],
  ])('gives the report one thread gives, on a tampered ledger read as %s', async (_, pages) => {
    tamper();
    const events = await rows();
    const post = vi.spyOn(RehashWorker.prototype, 'post');
    const withWorker = await verifyLedger(viaWorker(events, pages), { worker: { afterEvents: 0 } });
    expect(post).toHaveBeenCalled();
    const expected = await onOneThread(events);
    expect(withWorker).toEqual(expected);
    expect(expected.failures.map((f) => f.reason)).toEqual(expect.arrayContaining(['hash-mismatch', 'broken-link', 'gap']));
    expect(await verifyLedger(store.readAll(), { worker: false })).toEqual(expected);
    expect(started).toHaveLength(1);
    expect(started[0]!.running).toBe(false);
  });

  it('gives the same report when pages come faster than the worker answers (some are taken back)', async () => {
    tamper();
    const events = await rows();
    const withWorker = await verifyLedger(viaWorker(events, true, false), { worker: { afterEvents: 0 } });
    expect(withWorker).toEqual(await onOneThread(events));
    expect(started[0]!.running).toBe(false);
  });

  it('gives the same report when the worker fails part way, and ends it', async () => {
    tamper();
    const events = await rows();
    async function* crashing(): AsyncGenerator<StoredEventJson | StoredEventJson[]> {
      let sent = 0;
      for await (const item of viaWorker(events, true)) {
        yield item;
        // A page the worker cannot read makes it throw; the page sent after it is lost with it,
        // and is rehashed here.
        if (++sent === 3) (started[0] as unknown as { port: MessagePort }).port.postMessage(null);
        if (sent === 4) await until(() => started[0]!.failed);
      }
    }
    const report = await verifyLedger(crashing(), { worker: { afterEvents: 0 } });
    expect(started[0]!.failed).toBe(true);
    expect(report).toEqual(await onOneThread(events));
    expect(started[0]!.running).toBe(false);
  });

  it('throws what one thread throws on text that is not JSON, and ends the worker', async () => {
    const events = await rows();
    events[700] = { ...events[700]!, dataJson: events[700]!.dataJson.slice(1) };
    const error = await onOneThread(events).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyntaxError);
    await expect(verifyLedger(viaWorker(events, true), { worker: { afterEvents: 0 } })).rejects.toThrow((error as Error).message);
    expect(started[0]!.running).toBe(false);
  });

  it('meets what was read before the source failed first, as one thread does, and ends the worker', async () => {
    const events = await rows();
    events[300] = { ...events[300]!, dataJson: events[300]!.dataJson.slice(1) };
    async function* failing(read: AsyncIterable<StoredEventJson | StoredEventJson[]>): AsyncGenerator<StoredEventJson | StoredEventJson[]> {
      yield* read;
      throw new Error('the disk went away');
    }
    await expect(verifyLedger(failing(oneByOne(events.slice(0, 600))), { worker: false })).rejects.toThrow(SyntaxError);
    await expect(verifyLedger(failing(viaWorker(events.slice(0, 600), true)), { worker: { afterEvents: 0 } })).rejects.toThrow(SyntaxError);
    expect(started[0]!.running).toBe(false);
  });

  it('starts no worker for a small ledger by default', async () => {
    expect(await verifyLedger(ledgerEvents(store))).toMatchObject({ ok: true, checked: EVENTS });
    expect(started).toHaveLength(0);
  });

  it('ends the worker it started, read from the store as it comes', async () => {
    const report = await verifyLedger(ledgerPages(store), { worker: { afterEvents: 0 } });
    expect(report).toEqual(await onOneThread(await rows()));
    expect(started).toHaveLength(1);
    expect(started[0]!.running).toBe(false);
  });
});
