import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFor } from '../../bench/config.js';
import { appendThroughStore } from '../../bench/figures/append.js';
import { verifyByStream } from '../../bench/figures/replay.js';
import { startServices } from '../../bench/figures/restart.js';
import { LedgerGenerator } from '../../bench/generator.js';

/** The bench's stream-by-stream verify takes the log root's leaves from the streams it checked: it must still catch what a second read would. */
describe('bench verifyByStream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-by-stream-'));
  const ledger = join(dir, 'ledger.db');
  let events = 0;

  beforeAll(async () => {
    const shape = { ...configFor('smoke').shape, events: 1_500, bigIncidentEvents: 500 };
    events = (await appendThroughStore(ledger, new LedgerGenerator(shape).batches())).events;
    await startServices(ledger); // builds the ledger log the root is compared with
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A copy of the ledger, changed by `edit` through SQL as a tamperer would. */
  const tampered = (name: string, edit: (db: Database.Database) => void): string => {
    const path = join(dir, `${name}.db`);
    const source = new Database(ledger);
    source.pragma('wal_checkpoint(TRUNCATE)');
    source.close();
    copyFileSync(ledger, path);
    const db = new Database(path);
    edit(db);
    db.close();
    return path;
  };

  it('passes an untouched ledger, counting every event', async () => {
    expect(await verifyByStream(ledger)).toMatchObject({ ok: true, events });
  });

  it('fails on an event whose data was edited', async () => {
    const path = tampered('edited', (db) => db.prepare(`UPDATE events SET data = json_set(data, '$.tampered', 1) WHERE position = 42`).run());
    expect(await verifyByStream(path)).toMatchObject({ ok: false });
  });

  it('fails on a stream head deleted: its chain holds, the log root does not', async () => {
    const path = tampered('deleted', (db) => db.prepare('DELETE FROM events WHERE position = (SELECT max(position) FROM events)').run());
    expect(await verifyByStream(path)).toMatchObject({ ok: false, events: events - 1 });
  });

  it('fails when events of two streams swap positions: every chain holds, the order of the log\'s leaves does not', async () => {
    const path = tampered('swapped', (db) => {
      const other = db.prepare('SELECT min(position) FROM events WHERE stream != (SELECT stream FROM events WHERE position = 0)').pluck().get() as number;
      db.exec(`UPDATE events SET position = -1 WHERE position = 0; UPDATE events SET position = 0 WHERE position = ${other}; UPDATE events SET position = ${other} WHERE position = -1;`);
    });
    expect(await verifyByStream(path)).toMatchObject({ ok: false, events });
  });
});
