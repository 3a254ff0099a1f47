import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Recorded } from '../../events/index.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { SqliteCheckpointStore } from '../../src/store/checkpoints-sqlite.js';
import { LedgerFixture } from '../support/ledger-fixture.js';
import { EUROPOL, id, recorded } from '../support/projection-fixtures.js';

const opened: ProjectionRunner[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((r) => r.close()));
});

function runnerOn(ledger: LedgerFixture, checkpoints: SqliteCheckpointStore, options: { saveEveryEvents?: number } = {}) {
  const runner = new ProjectionRunner(ledger.store, { checkpoints, saveEveryMs: 60_000, ...options });
  opened.push(runner);
  return runner;
}

async function ledgerWithHistory(): Promise<LedgerFixture> {
  const ledger = new LedgerFixture();
  await ledger.register(EUROPOL, 'Europol');
  await ledger.open(id('sky'), 'Sky ECC');
  await ledger.record(id('sky'), recorded('a1'), recorded('a2'));
  await ledger.open(id('encro'), 'EncroChat');
  return ledger; // 5 events, positions 0–4
}

describe('projection runner', () => {
  it('folds every event on first start and reports no lag once caught up', async () => {
    const ledger = await ledgerWithHistory();
    const runner = runnerOn(ledger, new SqliteCheckpointStore(new Database(':memory:')));
    expect(await runner.lag()).toBe(5);
    await runner.start();
    expect(runner.appliedCount).toBe(5);
    expect(runner.position).toBe(4);
    expect(await runner.lag()).toBe(0);
    expect(runner.models.listIncidents({ limit: 10 }).items.map((i) => i.title)).toEqual(['EncroChat', 'Sky ECC']);
  });

  it('resumes from its checkpoint after a restart without replaying, then follows new appends', async () => {
    const ledger = await ledgerWithHistory();
    const db = new Database(':memory:');
    const first = runnerOn(ledger, new SqliteCheckpointStore(db));
    await first.start();
    await first.close();

    const second = runnerOn(ledger, new SqliteCheckpointStore(db));
    await second.start();
    expect(second.resumedFrom).toBe(4);
    expect(second.appliedCount).toBe(0);
    expect(second.models.listIncidents({ limit: 10 }).items.map((i) => i.title)).toEqual(['EncroChat', 'Sky ECC']);

    const [appended] = await ledger.record(id('encro'), recorded('b1'));
    await second.waitFor(appended!.position);
    expect(second.appliedCount).toBe(1);
    expect(second.models.incidents.get(id('encro'))).toMatchObject({ revision: 1, assertionCount: 1 });
  });

  it('after a crash, replays only what came after the last periodic checkpoint', async () => {
    const ledger = await ledgerWithHistory();
    const db = new Database(':memory:');
    const crashed = new ProjectionRunner(ledger.store, { checkpoints: new SqliteCheckpointStore(db), saveEveryEvents: 2, saveEveryMs: 60_000 });
    await crashed.start();
    const checkpoint = () => db.prepare<[], { position: number }>('SELECT position FROM projection_checkpoints').get()?.position;
    // Catching up saves once, when caught up (position 4), not every two events: each save writes the whole state.
    await expect.poll(checkpoint).toBe(4);
    // Live, it saves every two events: after positions 6 and 8; position 9 is never saved. No close: a crash.
    const appended = await ledger.record(id('sky'), recorded('a3'), recorded('a4'), recorded('a5'), recorded('a6'), recorded('a7'));
    await crashed.waitFor(appended.at(-1)!.position);
    await ledger.store.close();
    expect(checkpoint()).toBe(8);

    const restarted = runnerOn(ledger, new SqliteCheckpointStore(db));
    await restarted.start();
    expect(restarted.appliedCount).toBe(1);
    expect(restarted.models.incidents.size).toBe(2);
  });

  it('tells listeners about every applied event, in order', async () => {
    const ledger = await ledgerWithHistory();
    const runner = runnerOn(ledger, new SqliteCheckpointStore(new Database(':memory:')));
    const seen: string[] = [];
    runner.onApplied((event: Recorded) => seen.push(`${event.position}:${event.type}`));
    await runner.start();
    const [appended] = await ledger.record(id('sky'), recorded('a3'));
    await runner.waitFor(appended!.position);
    expect(seen).toEqual(['0:SourceRegistered', '1:IncidentOpened', '2:AssertionRecorded', '3:AssertionRecorded', '4:IncidentOpened', '5:AssertionRecorded']);
  });

  it.each([
    ['a shorter store', 1],
    ['a store as long, with other events', 5],
  ])('refolds from zero when the checkpoint is from another store: %s', async (_name, events) => {
    const db = new Database(':memory:');
    const first = runnerOn(await ledgerWithHistory(), new SqliteCheckpointStore(db));
    await first.start();
    await first.close();

    const other = new LedgerFixture('f');
    for (let i = 0; i < events; i++) await other.open(id(`other${i}`), `Other ${i}`);
    const runner = runnerOn(other, new SqliteCheckpointStore(db));
    await runner.start();
    expect(runner.resumedFrom).toBe(-1);
    expect(runner.appliedCount).toBe(events);
    expect(runner.models.incidents.size).toBe(events);
  });

  it('gives up waiting for a position that never comes', async () => {
    const runner = runnerOn(await ledgerWithHistory(), new SqliteCheckpointStore(new Database(':memory:')));
    await runner.start();
    await expect(runner.waitFor(99, 20)).rejects.toThrow(/did not reach position 99/);
  });
});
