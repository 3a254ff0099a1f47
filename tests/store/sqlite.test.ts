import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../../events/index.js';
import { IdempotencyConflictError, StoreUnavailableError } from '../../src/store/errors.js';
import { verifyStreamChain } from '../../src/store/hash-chain.js';
import { openSqliteReadOnly, SqliteEventStore, type SqliteEventStoreOptions } from '../../src/store/sqlite/index.js';
import { describeEventStoreContract } from './contract.js';
import { collect, newEvent, newStream, resend, revisions, someEvents } from './fixtures.js';

function tempDbPath(): { path: string; remove: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-sqlite-'));
  return { path: join(dir, 'nested', 'ledger.db'), remove: async () => rmSync(dir, { recursive: true, force: true }) };
}

describeEventStoreContract('sqlite (file)', async () => {
  const { path, remove } = tempDbPath();
  return { store: new SqliteEventStore(path), cleanup: remove };
});

describeEventStoreContract('sqlite (memory)', async () => ({ store: new SqliteEventStore(':memory:') }));

describe('sqlite event store', () => {
  const opened: SqliteEventStore[] = [];
  const removals: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    for (const remove of removals.splice(0)) await remove();
  });

  const open = (path = ':memory:', options?: SqliteEventStoreOptions): SqliteEventStore => {
    const store = new SqliteEventStore(path, options);
    opened.push(store);
    return store;
  };
  const tempFile = (): string => {
    const { path, remove } = tempDbPath();
    removals.push(remove);
    return path;
  };

  it('keeps appended events across closing and reopening a file, and the chain carries on', async () => {
    const path = tempFile();
    const stream = newStream();
    const first = open(path);
    const written = await first.append(stream, someEvents(2), 'no_stream');
    await first.close();

    const second = open(path);
    expect(await second.readStream(stream)).toEqual(written.events);
    await second.append(stream, someEvents(1), 1);
    const events = await second.readStream(stream);
    expect(revisions(events)).toEqual([0, 1, 2]);
    expect(verifyStreamChain(events)).toEqual([]);
    expect(await second.headPosition()).toBe(2);
  });

  it('numbers positions densely from 0 in commit order', async () => {
    const store = open();
    expect(await store.headPosition()).toBe(-1);
    await store.append(newStream(), someEvents(2));
    await store.append(newStream(), someEvents(3));
    const all = await collect(store.readAll());
    expect(all.map((e) => e.position)).toEqual([0, 1, 2, 3, 4]);
    expect(await store.headPosition()).toBe(4);
  });

  it('does not spend positions on refused appends', async () => {
    const store = open();
    const stream = newStream();
    await store.append(stream, someEvents(1));
    await expect(store.append(stream, someEvents(2), 'no_stream')).rejects.toThrow();
    const next = await store.append(newStream(), someEvents(1));
    expect(next.position).toBe(1);
  });

  describe('event ids are unique across the store', () => {
    it('refuses an event id already used in another stream', async () => {
      const store = open();
      const event = newEvent('IncidentOpened', { title: 'Sky ECC' });
      await store.append(newStream(), [event]);
      const other = newStream();
      await expect(store.append(other, resend([event]))).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect(await store.streamRevision(other)).toBe(-1);
    });

    it('refuses a batch that repeats some stored events but not all, writing nothing', async () => {
      const store = open();
      const stream = newStream();
      const [stored] = someEvents(1);
      await store.append(stream, [stored!]);
      await expect(store.append(stream, [...resend([stored!]), ...someEvents(1)])).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect(await store.streamRevision(stream)).toBe(0);
    });

    it('refuses a batch that repeats stored events in another order', async () => {
      const store = open();
      const stream = newStream();
      const batch = someEvents(2);
      await store.append(stream, batch);
      await expect(store.append(stream, resend(batch).reverse())).rejects.toBeInstanceOf(IdempotencyConflictError);
    });

    it('refuses a batch carrying one event id twice', async () => {
      const store = open();
      const event = newEvent('IncidentOpened', { title: 'Sky ECC' });
      await expect(store.append(newStream(), [event, event])).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect(await store.headPosition()).toBe(-1);
    });

    it('recognises a resend whatever expected revision it carries', async () => {
      const store = open();
      const stream = newStream();
      const batch = someEvents(2);
      const first = await store.append(stream, batch, 'any');
      expect(await store.append(stream, resend(batch), 7)).toEqual(first);
      expect(await store.append(stream, resend(batch), 'no_stream')).toEqual(first);
      expect(await store.headPosition()).toBe(1);
    });

    it('accepts a resend of the tail of a stored batch', async () => {
      const store = open();
      const stream = newStream();
      const batch = someEvents(3);
      await store.append(stream, batch);
      const again = await store.append(stream, resend(batch.slice(1)));
      expect(revisions(again.events)).toEqual([1, 2]);
      expect(again.nextExpectedRevision).toBe(2);
    });
  });

  describe('paging', () => {
    it('reads $all through many pages without losing or repeating events', async () => {
      const store = open(':memory:', { pageSize: 3 });
      for (let i = 0; i < 4; i++) await store.append(newStream(), someEvents(5));
      expect((await collect(store.readAll())).map((e) => e.position)).toEqual([...Array(20).keys()]);
      expect((await collect(store.readAll({ after: 4, maxCount: 7 }))).map((e) => e.position)).toEqual([5, 6, 7, 8, 9, 10, 11]);
      expect(await collect(store.readAll({ after: 19 }))).toEqual([]);
    });

    it('reads $all a page at a time: the same events as readAll, a page per read', async () => {
      const store = open(':memory:', { pageSize: 3 });
      for (let i = 0; i < 4; i++) await store.append(newStream(), someEvents(5));
      const pages: number[][] = [];
      for await (const page of store.readAllPages({ after: 4, maxCount: 7 })) pages.push([...page].map((e) => e.position));
      expect(pages).toEqual([[5, 6, 7], [8, 9, 10], [11]]);
      const all: StoredEvent[] = [];
      for await (const page of store.readAllPages()) all.push(...page);
      expect(all).toEqual(await collect(store.readAll()));
    });

    it('catches a subscription up through many pages before saying it has caught up', async () => {
      const store = open(':memory:', { pageSize: 3 });
      for (let i = 0; i < 4; i++) await store.append(newStream(), someEvents(5));
      const seen: StoredEvent[] = [];
      let seenAtCaughtUp = -1;
      const subscription = store.subscribeToAll((e) => void seen.push(e), { after: 1, onCaughtUp: () => (seenAtCaughtUp = seen.length) });
      await vi.waitFor(() => expect(seenAtCaughtUp).toBe(18));
      await store.append(newStream(), someEvents(4));
      await vi.waitFor(() => expect(seen).toHaveLength(22));
      expect(seen.map((e) => e.position)).toEqual([...Array(22).keys()].map((i) => i + 2));
      await subscription.close();
    });
  });

  describe('the database file', () => {
    it('is in WAL mode, with columns that tools can query read-only', async () => {
      const path = tempFile();
      const store = open(path);
      const stream = newStream();
      const { events } = await store.append(stream, someEvents(2));
      const raw = openSqliteReadOnly(path);
      try {
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
        const rows = raw
          .prepare('SELECT position, stream, revision, type, event_id, recorded_at, hash, prev_hash FROM events ORDER BY position')
          .all();
        expect(rows).toEqual(
          events.map((e) => ({
            position: e.position,
            stream,
            revision: e.revision,
            type: e.type,
            event_id: e.metadata.eventId,
            recorded_at: e.metadata.recordedAt,
            hash: e.metadata.hash,
            prev_hash: e.metadata.prevHash,
          })),
        );
      } finally {
        raw.close();
      }
    });

    /** A ledger file with one stream of three events, then one of them changed by `SET …` straight in SQLite. */
    const editedBehindTheStore = async (revision: number, set: string) => {
      const path = tempFile();
      const stream = newStream();
      await open(path).append(stream, someEvents(3));
      const raw = new Database(path);
      raw.prepare(`UPDATE events SET ${set} WHERE stream = ? AND revision = ?`).run(stream, revision);
      raw.close();
      return { path, stream };
    };

    it('lets the chain name an event edited behind the store’s back', async () => {
      const { path, stream } = await editedBehindTheStore(1, `data = '{"summary":"rewritten"}'`);
      const failures = verifyStreamChain(await open(path).readStream(stream));
      expect(failures).toEqual([expect.objectContaining({ stream, revision: 1, reason: 'hash-mismatch' })]);
    });

    it('names the event whose stored text is not JSON, reading a stream or $all', async () => {
      const { path, stream } = await editedBehindTheStore(2, `metadata = '{not json'`);
      const store = open(path);
      const named = new RegExp(`event at position 2 \\(${stream} revision 2\\) has metadata that is not JSON`);
      await expect(store.readStream(stream)).rejects.toThrow(named);
      await expect(collect(store.readAll())).rejects.toThrow(named);
    });

    it('will not make a ledger of a database of something else, and leaves it as it was', async () => {
      const path = tempFile();
      mkdirSync(dirname(path), { recursive: true });
      const other = new Database(path);
      other.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('Ada')");
      other.close();
      const before = readFileSync(path);
      expect(() => open(path)).toThrow(/is not a ledger database: it holds other tables \(people\)/);
      expect(readFileSync(path).equals(before)).toBe(true);
    });

    it('opened read-only, reads as ever and refuses appends and imports, writing nothing', async () => {
      const path = tempFile();
      const stream = newStream();
      await open(path).append(stream, someEvents(2));
      const store = open(path, { readOnly: true });
      expect(revisions(await store.readStream(stream))).toEqual([0, 1]);
      await expect(store.append(stream, someEvents(1))).rejects.toThrow(/read-only/);
      expect(() => store.importEvents([])).toThrow(/read-only/);
      expect(revisions(await open(path).readStream(stream))).toEqual([0, 1]);
    });
  });

  describe('misuse', () => {
    it('refuses work once closed, and closing twice is harmless', async () => {
      const store = open();
      await store.close();
      await store.close();
      await expect(store.append(newStream(), someEvents(1))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.readStream(newStream())).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    });

    it('stops its subscriptions when it closes', async () => {
      const store = open();
      let caughtUp = false;
      store.subscribeToAll(() => undefined, { onCaughtUp: () => (caughtUp = true) });
      await vi.waitFor(() => expect(caughtUp).toBe(true));
      await expect(store.close()).resolves.toBeUndefined();
    });

    it.each([-1, 1.5, Number.NaN])('refuses %s as an expected revision', async (expected) => {
      const store = open();
      await expect(store.append(newStream(), someEvents(1), expected)).rejects.toBeInstanceOf(RangeError);
    });

    it('refuses data that JSON cannot carry, writing nothing', async () => {
      const store = open();
      await expect(store.append(newStream(), [newEvent('IncidentOpened', { count: Number.NaN })])).rejects.toThrow();
      expect(await store.headPosition()).toBe(-1);
    });
  });
});
