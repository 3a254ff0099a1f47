import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { incidentStream } from '../../events/index.js';
import { RehashWorker } from '../../src/audit/rehash-worker.js';
import { LedgerLog } from '../../src/log/ledger-log.js';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import { newEvent, newStream } from '../store/fixtures.js';
import { cli, copyLedger, forgeStream, json, openRaw, seededWorkspace, storedEvents, workspace, type Workspace } from './helpers.js';

interface Report {
  ok: boolean;
  checked: number;
  root: string;
  failures: Array<{ stream: string; revision: number; reason: string; detail: string }>;
}

describe('incident-ledger verify (local store)', () => {
  const ws = seededWorkspace({ ledger: 'template.db' });
  let n = 0;
  /** A fresh copy of the seeded demo ledger for each test. */
  const ledger = (): string => copyLedger(ws.ledger, ws.path(`ledger-${++n}.db`));

  it('reports ok and exits 0 on an untouched ledger', async () => {
    const db = ledger();
    const run = await cli(['verify', '--db', db, '--json']);
    expect(run.code).toBe(0);
    const report = json<Report>(run);
    expect(report).toMatchObject({ ok: true, failures: [] });
    expect(report.checked).toBeGreaterThan(25);
    const human = await cli(['verify', '--db', db]);
    expect(human.stdout).toMatch(/^verify: ok: \d+ events/);
  });

  it('names the stream and revision of an event whose data had one byte flipped in the SQLite file, and exits 1', async () => {
    const db = ledger();
    const raw = openRaw(db);
    const target = raw
      .prepare<[], { stream: string; revision: number }>(`SELECT stream, revision FROM events WHERE data LIKE '%distributed a day%'`)
      .get()!;
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();

    // The quote of the Sky ECC "messages a day" assertion, in the file's bytes: flip the low bit of one letter.
    const bytes = readFileSync(db);
    const at = bytes.indexOf('distributed a day');
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf('distributed a day', at + 1)).toBe(-1);
    bytes[at] = bytes[at]! ^ 0x01; // "d" becomes "e": still valid JSON, no longer what was hashed
    writeFileSync(db, bytes);

    const run = await cli(['verify', '--db', db, '--json']);
    expect(run.code).toBe(1);
    const report = json<Report>(run);
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([expect.objectContaining({ stream: target.stream, revision: target.revision, reason: 'hash-mismatch' })]);

    const human = await cli(['verify', '--db', db]);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('TAMPERING FOUND');
    expect(human.stdout).toContain(`${target.stream} revision ${target.revision}: hash-mismatch`);
  });

  it('names a row whose JSON no longer parses instead of giving up', async () => {
    const db = ledger();
    const raw = openRaw(db);
    const target = storedEvents(raw, 'stream = ? AND revision = 1', incidentStream(ws.demo.incidentId))[0]!;
    raw.prepare('UPDATE events SET data = substr(data, 2) WHERE position = ?').run(target.position);
    raw.close();
    const run = await cli(['verify', '--db', db, '--json']);
    expect(run.code).toBe(1);
    const named = json<Report>(run).failures.filter((f) => f.stream === target.stream && f.revision === 1).map((f) => f.reason);
    expect(named).toEqual(expect.arrayContaining(['hash-mismatch', 'row-mismatch']));
  });

  it('fails against a kept checkpoint once the last event of a stream is deleted', async () => {
    const db = ledger();
    const kept = ws.path(`kept-${n}.json`);
    expect((await cli(['checkpoint', '--db', db, '--out', kept])).code).toBe(0);
    expect((await cli(['verify', '--db', db, '--against', kept])).code).toBe(0);

    const stream = incidentStream(ws.demo.incidentId);
    const raw = openRaw(db);
    const deleted = raw.prepare('DELETE FROM events WHERE stream = ? AND revision = (SELECT max(revision) FROM events WHERE stream = ?)').run(stream, stream);
    expect(deleted.changes).toBe(1);
    raw.close();

    const run = await cli(['verify', '--db', db, '--against', kept, '--json']);
    expect(run.code).toBe(1);
    const reasons = json<Report>(run).failures.map((f) => f.reason);
    expect(reasons).toContain('checkpoint-beyond-ledger');
    // Even without the kept checkpoint, the log still holds the removed event's leaf.
    const plain = await cli(['verify', '--db', db, '--json']);
    expect(plain.code).toBe(1);
    expect(json<Report>(plain).failures.map((f) => f.reason)).toContain('events-removed');
  });

  it('fails against a kept checkpoint when an earlier event is rewritten and every later hash and the whole log tree recomputed', async () => {
    const db = ledger();
    const kept = ws.path(`kept-${n}.json`);
    expect((await cli(['checkpoint', '--db', db, '--out', kept])).code).toBe(0);

    // The forger: makes Sky ECC's "messages a day" say 3,000,000 from the start, re-seals every
    // later event of the stream, and rebuilds the whole log tree from the forged hashes.
    const raw = openRaw(db);
    forgeStream(
      raw,
      incidentStream(ws.demo.incidentId),
      (e) => e.type === 'AssertionRecorded' && (e.data as { assertionId: string }).assertionId === ws.demo.assertions['messages-skyecc'],
      (e) => ({ ...(e.data as Record<string, unknown>), value: { type: 'quantity', value: 3_000_000, approximate: true } }),
    );
    raw.exec('DELETE FROM log_nodes; DELETE FROM log_leaves;');
    new LedgerLog(raw).append(storedEvents(raw));
    raw.close();

    // Internally consistent: on its own, verify cannot tell...
    const alone = await cli(['verify', '--db', db, '--json']);
    expect(json<Report>(alone).failures).toEqual([]);
    expect(alone.code).toBe(0);
    // ...but the kept checkpoint's root is not extended by the forged tree.
    const run = await cli(['verify', '--db', db, '--against', kept, '--json']);
    expect(run.code).toBe(1);
    expect(json<Report>(run).failures).toEqual([expect.objectContaining({ stream: '$log', reason: 'checkpoint-not-extended' })]);
    const proof = await cli(['prove', '--db', db, '--checkpoint', kept]);
    expect(proof.code).toBe(1);
    expect(proof.stdout).toContain('verified: FAILED');
  });

  it('exits 2 on usage and I/O errors', async () => {
    expect((await cli(['verify', '--db', ws.path('missing.db')])).code).toBe(2);
    expect((await cli(['verify', '--no-such-option'])).code).toBe(2);
    expect((await cli(['verify', '--db', ledger(), '--against', ws.path('missing.json')])).code).toBe(2);
    writeFileSync(ws.path('bad.json'), '{"size": -1}');
    expect((await cli(['verify', '--db', ledger(), '--against', ws.path('bad.json')])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['--help'])).code).toBe(0);
  });
});

describe('incident-ledger verify on a ledger large enough to share with a worker', () => {
  let ws: Workspace;
  let db: string;

  beforeAll(async () => {
    ws = workspace();
    db = ws.path('large.db');
    const store = new SqliteEventStore(db);
    try {
      const streams = [newStream(), newStream(), newStream()];
      // Past the 40,000 events from which a ledger file is verified by range.
      for (let i = 0; i < 41_000; i += 500) {
        await store.append(streams[(i / 500) % 3]!, Array.from({ length: 500 }, (_, k) => newEvent('AssertionRecorded', { assertionId: `a${i + k}`, quote: `Nutzer ${i + k} — 🔐` })));
      }
    } finally {
      await store.close();
    }
    const raw = openRaw(db);
    try {
      const at = (n: number) => raw.prepare<[number], { position: number }>('SELECT position FROM events ORDER BY position LIMIT 1 OFFSET ?').get(n)!.position;
      raw.prepare("UPDATE events SET event_id = 'edited' WHERE position = ?").run(at(1_234));
      raw.prepare('UPDATE events SET data = substr(data, 2) WHERE position = ?').run(at(20_500));
      raw.prepare("UPDATE events SET data = replace(data, 'Nutzer', 'Nützer') WHERE position = ?").run(at(39_999));
    } finally {
      raw.close();
    }
  });
  afterAll(() => {
    vi.restoreAllMocks();
    ws.cleanup();
  });

  it('reports, by range with the worker, what it reports on one thread', async () => {
    const posted = vi.spyOn(RehashWorker.prototype, 'postRange');
    const shared = await cli(['verify', '--db', db, '--json', '--no-progress']);
    expect(posted).toHaveBeenCalled();
    expect(posted.mock.calls.every(([, , rows]) => rows === true)).toBe(true);
    // No thread: verifyLedger reads the rows one by one, checking each, as it did before ranges.
    vi.spyOn(RehashWorker, 'start').mockReturnValue(undefined);
    const alone = await cli(['verify', '--db', db, '--json', '--no-progress']);
    expect(shared.code).toBe(1);
    expect(json<Report>(shared)).toEqual(json<Report>(alone));
    const reasons = json<Report>(shared).failures.map((f) => f.reason);
    expect(reasons.filter((r) => r === 'row-mismatch')).toHaveLength(2);
    expect(reasons.filter((r) => r === 'hash-mismatch')).toHaveLength(2);
    expect(json<Report>(shared).checked).toBe(41_000);
  }, 60_000);
});
