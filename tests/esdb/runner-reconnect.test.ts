/**
 * The projection runner on EventStoreDB across a server restart: it keeps following after the
 * stand-in comes back, and a new runner resumes from the saved checkpoint. Every event is applied
 * exactly once. Only the stand-in can be restarted, so this never runs against a real server.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../projections/runner.js';
import { Ledger } from '../../src/app/ledger.js';
import { SqliteCheckpointStore } from '../../src/store/checkpoints-sqlite.js';
import { openEsdbStore, type EsdbEventStore } from '../../src/store/esdb/index.js';
import { pause } from '../store/fixtures.js';
import { realConnectionString, TEST_STORE_OPTIONS, retryWhileUnavailable } from './harness.js';
import { EsdbStandIn } from './stand-in/index.js';

const ctx = { actor: 'test', correlationId: 'runner-reconnect' };


describe.skipIf(realConnectionString() !== undefined)('the projection runner on EventStoreDB', () => {
  let standIn: EsdbStandIn;
  let store: EsdbEventStore;
  let ledger: Ledger;
  const db = new Database(':memory:');
  const checkpoints = new SqliteCheckpointStore(db);

  beforeAll(async () => {
    standIn = await EsdbStandIn.start();
    store = openEsdbStore(standIn.connectionString, TEST_STORE_OPTIONS);
    ledger = new Ledger(store);
  });
  afterAll(async () => {
    await store.close();
    await standIn.stop();
    db.close();
  });

  const openIncidents = async (count: number) => {
    let position = -1;
    for (let i = 0; i < count; i++) {
      const id = ledger.newId();
      position = (await retryWhileUnavailable(() => ledger.handle(id, { type: 'OpenIncident', data: { incidentId: id, title: `incident ${i}` } }, ctx))).position;
    }
    return position;
  };

  it('survives a restart mid-stream and resumes from its checkpoint with no event lost or applied twice', async () => {
    await openIncidents(10);
    const seen: string[] = [];
    const runner = new ProjectionRunner(store, { checkpoints, saveEveryEvents: 5 });
    runner.onApplied((_event, stored) => seen.push(stored.metadata.eventId));
    await runner.start();
    expect(runner.models.listIncidents({ limit: 100 }).items).toHaveLength(10);

    // The server goes away and comes back; appends made after it returns must still arrive.
    await standIn.stop();
    await pause(200);
    await standIn.start();
    const last = await openIncidents(5);
    await runner.waitFor(last, 10_000);
    expect(runner.models.listIncidents({ limit: 100 }).items).toHaveLength(15);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(15);
    await runner.close();

    // A new runner (a restarted process) resumes after the checkpoint: it applies only what is new.
    const final = await openIncidents(3);
    const resumed = new ProjectionRunner(store, { checkpoints });
    const resumedSeen: string[] = [];
    resumed.onApplied((_event, stored) => resumedSeen.push(stored.metadata.eventId));
    await resumed.start();
    await resumed.waitFor(final);
    expect(resumed.resumedFrom).toBeGreaterThanOrEqual(0);
    expect(resumed.appliedCount).toBe(3);
    expect(resumedSeen.filter((id) => seen.includes(id))).toEqual([]);
    expect(resumed.models.listIncidents({ limit: 100 }).items).toHaveLength(18);
    await resumed.close();
  });
});
