/** What the tests of verification with a rehash worker share: their data, their tampering, and a watch on the workers started. */
import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { vi } from 'vitest';
import { RehashWorker } from '../../src/audit/rehash-worker.js';
import { writeLoosely } from '../store/json-arbitraries.js';

/** Data as assertions carry it, and now and then numbers the canonical check cannot vouch for. */
export const assertionData = (i: number) =>
  i % 7 === 0
    ? { assertionId: `a${i}`, value: { type: 'quantity', value: 1.5 * i } }
    : { assertionId: `a${i}`, quote: `rund ${i * 1000} Nutzer überwacht — 🔐`, value: { type: 'quantity', value: 170_000 + i * 10 } };

export async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 20_000) throw new Error('timed out waiting on the rehash worker');
    await sleep(5);
  }
}

/** Every worker started from now on, in order (restored with vi.restoreAllMocks). */
export function watchWorkerStarts(): RehashWorker[] {
  const started: RehashWorker[] = [];
  const start = RehashWorker.start.bind(RehashWorker);
  vi.spyOn(RehashWorker, 'start').mockImplementation((file?: string) => {
    const worker = start(file);
    if (worker) started.push(worker);
    return worker;
  });
  return started;
}

export type LedgerRow = { position: number; data: string; metadata: string };

/**
 * Tampering of every kind the walk reports, in a ledger of at least 1,001 events: rows an older
 * build wrote as other JSON, an edited value, a relinked prevHash, a hash in upper case, and a
 * deleted event.
 */
export function tamperRows(db: Database.Database, rows: readonly LedgerRow[]): void {
  const set = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?');
  for (const row of rows.filter((r) => r.position % 97 === 5)) set.run(writeLoosely(JSON.parse(row.data), row.position, 0.5), writeLoosely(JSON.parse(row.metadata), row.position, 0.5), row.position);
  const edit = rows[130]!;
  set.run(edit.data.replace('Nutzer', 'Nützer'), edit.metadata, edit.position);
  const relinked = rows[611]!;
  set.run(relinked.data, relinked.metadata.replace(/"prevHash":"[0-9a-f]/, '"prevHash":"f'), relinked.position);
  const upper = rows[900]!;
  set.run(upper.data, upper.metadata.replace(/"hash":"([0-9a-f]{64})"/, (_, h: string) => `"hash":"${h.toUpperCase()}"`), upper.position);
  db.prepare('DELETE FROM events WHERE position = ?').run(rows[1_000]!.position);
}

/** The events table's rows, for tamperRows. */
export const ledgerRows = (db: Database.Database): LedgerRow[] =>
  db.prepare<[], LedgerRow>('SELECT position, data, metadata FROM events ORDER BY position').all();
