import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerPages, verifyLedger, type VerifyReport } from '../../src/audit/verify-ledger.js';
import { LedgerLog } from '../../src/log/ledger-log.js';
import { EMPTY_ROOT } from '../../src/log/merkle.js';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import { forgeStream } from '../cli/helpers.js';
import { collect, newEvent, newStream } from '../store/fixtures.js';

async function* none() {}

describe('verifying a kept checkpoint of size 0', () => {
  it('accepts the empty-tree root', async () => {
    const report = await verifyLedger(none(), { against: { size: 0, root: EMPTY_ROOT.toString('hex') } });
    expect(report.ok).toBe(true);
  });

  it('refuses a forged root', async () => {
    const report = await verifyLedger(none(), { against: { size: 0, root: 'aa'.repeat(32) } });
    expect(report.ok).toBe(false);
    expect(report.failures[0]?.reason).toBe('checkpoint-not-extended');
  });
});

describe('verifying against the ledger log', () => {
  let dir: string;
  let path: string;
  let store: SqliteEventStore;
  let log: LedgerLog;
  let stateDb: Database.Database;
  const streams = [newStream(), newStream(), newStream()];

  /** Nine events over three streams, all absorbed by the log. */
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-verify-log-'));
    path = join(dir, 'ledger.db');
    store = new SqliteEventStore(path);
    stateDb = new Database(path);
    log = new LedgerLog(stateDb);
    for (let i = 0; i < 9; i++) await store.append(streams[i % 3]!, [newEvent('AssertionRecorded', { assertionId: `a${i}`, quote: `quote ${i}` })]);
    await absorbAll();
  });
  afterEach(async () => {
    await store.close();
    stateDb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function absorbAll(): Promise<void> {
    log.append(await collect(store.readAll({ after: log.lastPosition() })));
  }
  const verify = () => verifyLedger(ledgerPages(store), { log });
  const reasons = (report: VerifyReport) => report.failures.map((f) => f.reason);
  const raw = () => new Database(path);

  it('passes an intact ledger, and one with appends the log has not absorbed yet', async () => {
    expect(await verify()).toMatchObject({ ok: true, checked: 9, failures: [] });
    await store.append(streams[0]!, [newEvent('AssertionRecorded', { assertionId: 'late' })]);
    expect(await verify()).toMatchObject({ ok: true, checked: 10, failures: [] });
  });

  it('names the removal of the ledger’s last event, which no chain shows', async () => {
    const db = raw();
    db.prepare('DELETE FROM events WHERE position = (SELECT max(position) FROM events)').run();
    db.close();
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(reasons(report)).toEqual(['events-removed']);
    expect(report.failures[0]!.detail).toContain('up to position 8');
  });

  it('names the removal of a stream’s last event in the middle of $all', async () => {
    const db = raw();
    db.prepare('DELETE FROM events WHERE position = 4').run();
    db.close();
    const report = await verify();
    expect(reasons(report)).toContain('events-removed');
    expect(report.failures.find((f) => f.reason === 'events-removed')!.detail).toContain('1 removed');
  });

  it('checks the root over what the log held when the walk began, while later appends are not absorbed yet', async () => {
    // The forger rewrites an absorbed event and re-seals its stream, so every chain holds; new
    // appends, not yet in the log, must not stop the root from being compared.
    const db = raw();
    forgeStream(db, streams[1]!, (e) => e.revision === 1, (e) => ({ ...(e.data as object), quote: 'forged' }));
    db.close();
    await store.append(streams[2]!, [newEvent('AssertionRecorded', { assertionId: 'late' })]);
    const report = await verify();
    expect(report.checked).toBe(10);
    expect(reasons(report)).toEqual(['log-root-mismatch']);
    expect(report.failures[0]!.revision).toBe(9);
  });
});
