/**
 * What the EventStoreDB adapter adds over the contract: the chain under concurrent writers,
 * the server's idempotency, system and foreign events, and failures named without credentials.
 * Tests that reach into the stand-in are skipped against a real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_HASH } from '../../events/index.js';
import { ConcurrencyError, IdempotencyConflictError, StoreUnavailableError } from '../../src/store/errors.js';
import { verifyStreamChain, sealEvents } from '../../src/store/hash-chain.js';
import { ForeignEventError, openEsdbStore, redactConnectionString, ulidToUuid, type EsdbEventStore } from '../../src/store/esdb/index.js';
import { collect, eventIds, newEvent, newStream, readAllOf, rejectionOf, resend, revisions, someEvents } from '../store/fixtures.js';
import { openEsdbUnderTest, realConnectionString, TEST_STORE_OPTIONS, type EsdbUnderTest } from './harness.js';
import { EsdbStandIn } from './stand-in/index.js';

const onStandIn = realConnectionString() === undefined;

/** Makes the stand-in commit a chain-valid event to `stream` just before the next protocol append to it is decided. */
function slipInCompetingWrite(standIn: EsdbStandIn, stream: string): void {
  standIn.log.beforeWrite = (target) => {
    if (target !== stream) return;
    standIn.log.beforeWrite = undefined;
    const records = standIn.log.stream(stream) ?? [];
    const last = records[records.length - 1];
    const prevHash = last ? (JSON.parse(Buffer.from(last.metadata).toString('utf8')) as { hash: string }).hash : ZERO_HASH;
    const [sealed] = sealEvents(stream, records.length, prevHash, [newEvent('IncidentDetailsRevised', { summary: 'a competing writer' })]);
    standIn.writeDirect(stream, [{ id: ulidToUuid(sealed!.metadata.eventId), type: sealed!.type, data: sealed!.data, metadata: sealed!.metadata }]);
  };
}

describe('EventStoreDB adapter', () => {
  let esdb: EsdbUnderTest;
  let store: EsdbEventStore;
  beforeAll(async () => {
    esdb = await openEsdbUnderTest();
    store = esdb.store;
  });
  afterAll(async () => {
    await store.close();
    await esdb.cleanup();
  });

  describe('the hash chain under concurrent writers', () => {
    it('of two appends at the same revision, one lands and the other gets the actual revision', async () => {
      const stream = await store.append(newStream(), someEvents(1)).then((r) => r.events[0]!.stream);
      const outcomes = await Promise.allSettled([store.append(stream, someEvents(1), 0), store.append(stream, someEvents(1), 0)]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const [refused] = outcomes.filter((o) => o.status === 'rejected');
      expect(refused?.reason).toBeInstanceOf(ConcurrencyError);
      expect(refused?.reason).toMatchObject({ stream, expected: 0, actual: 1 });
      expect(verifyStreamChain(await store.readStream(stream))).toEqual([]);
    });

    it("concurrent 'any' appends all land, one after another, on one unbroken chain", async () => {
      const stream = newStream();
      await Promise.all(Array.from({ length: 8 }, (_, i) => store.append(stream, someEvents(1, `writer ${i}`))));
      const events = await store.readStream(stream);
      expect(revisions(events)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(verifyStreamChain(events)).toEqual([]);
    });

    it.skipIf(!onStandIn)("maps the server's wrong_expected_version to ConcurrencyError with the server's actual revision", async () => {
      const stream = (await store.append(newStream(), someEvents(2))).events[0]!.stream;
      slipInCompetingWrite(esdb.standIn!, stream);
      const error = await rejectionOf(store.append(stream, someEvents(1), 1));
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ stream, expected: 1, actual: 2 });
      expect(await store.streamRevision(stream)).toBe(2);
    });

    it.skipIf(!onStandIn)("an 'any' append that loses the race re-reads the tail and chains onto the winner", async () => {
      const stream = (await store.append(newStream(), someEvents(1))).events[0]!.stream;
      slipInCompetingWrite(esdb.standIn!, stream);
      const result = await store.append(stream, someEvents(1, 'mine'));
      expect(result.nextExpectedRevision).toBe(2);
      const events = await store.readStream(stream);
      expect(events.map((e) => e.data)).toEqual([expect.anything(), { summary: 'a competing writer' }, expect.objectContaining({ summary: 'mine 0' })]);
      expect(verifyStreamChain(events)).toEqual([]);
    });

    it.skipIf(!onStandIn)('a stale exact revision is never retried: the events are not written after the winner', async () => {
      const stream = (await store.append(newStream(), someEvents(1))).events[0]!.stream;
      slipInCompetingWrite(esdb.standIn!, stream);
      await expect(store.append(stream, someEvents(1), 0)).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.streamRevision(stream)).toBe(1);
    });
  });

  describe("EventStoreDB's idempotency", () => {
    it('stores each event under the UUID of its ULID', async () => {
      const result = await store.append(newStream(), someEvents(2));
      const stored = await collect(store.readAll({ after: result.events[0]!.position - 1 }));
      expect(eventIds(stored.filter((e) => e.stream === result.events[0]!.stream))).toEqual(eventIds(result.events));
      if (onStandIn) {
        const records = esdb.standIn!.log.stream(result.events[0]!.stream)!;
        expect(records.map((r) => r.id)).toEqual(result.events.map((e) => ulidToUuid(e.metadata.eventId)));
      }
    });

    it('a resent batch answers like the first append and writes nothing', async () => {
      const stream = newStream();
      const batch = someEvents(3);
      const first = await store.append(stream, batch, 'no_stream');
      const head = await store.headPosition();
      const written = esdb.standIn?.log.written;
      expect(await store.append(stream, resend(batch), 'no_stream')).toEqual(first);
      expect(await store.headPosition()).toBe(head);
      if (written !== undefined) expect(esdb.standIn!.log.written).toBe(written);
    });

    it('an id resent with other data is refused after the server accepts the ids, and nothing is written', async () => {
      const stream = newStream();
      const batch = someEvents(2);
      await store.append(stream, batch, 'no_stream');
      const altered = resend(batch);
      altered[1] = { ...altered[1]!, data: { summary: 'rewritten' } };
      const error = await rejectionOf(store.append(stream, altered, 'no_stream'));
      expect(error).toBeInstanceOf(IdempotencyConflictError);
      expect(error).toMatchObject({ eventId: batch[1]!.metadata.eventId });
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('a resend that repeats only part of a stored batch is an id conflict, not a concurrency error', async () => {
      const stream = newStream();
      const batch = someEvents(2);
      await store.append(stream, batch, 'no_stream');
      const partial = [resend(batch)[0]!, ...someEvents(1)];
      await expect(store.append(stream, partial, 'no_stream')).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect(await store.streamRevision(stream)).toBe(1);
    });

    it('refuses one id twice in a batch before sending anything', async () => {
      const [event] = someEvents(1);
      await expect(store.append(newStream(), [event!, event!])).rejects.toBeInstanceOf(IdempotencyConflictError);
    });
  });

  describe.skipIf(!onStandIn)("the database's own events", () => {
    it('skips system streams and $-typed events in $all, the head and subscriptions', async () => {
      const standIn = esdb.standIn!;
      const start = await store.headPosition();
      const stream = newStream();
      await store.append(stream, someEvents(1));
      standIn.writeDirect('$stats-127.0.0.1:2113', [{ type: '$statsCollected', data: { 'proc-cpu': 1 } }]);
      standIn.writeDirect('$scavenges', [{ type: 'ScavengeStarted' }]);
      standIn.writeDirect(`$$${stream}`, [{ type: '$metadata', data: { $maxAge: 60 } }]);
      const last = await store.append(stream, someEvents(1));
      standIn.writeDirect('$settings', [{ type: '$settings' }]);

      expect(await collect(store.readAll({ after: start }))).toEqual(await store.readStream(stream));
      expect(await store.headPosition()).toBe(last.position);
      const seen: string[] = [];
      const subscription = store.subscribeToAll((e) => void seen.push(e.stream), { after: start });
      try {
        await expect.poll(() => seen.length).toBe(2);
        expect(seen).toEqual([stream, stream]);
      } finally {
        await subscription.close();
      }
    });

    it('pages through $all and back from its end, skipping system events at page edges', async () => {
      const standIn = esdb.standIn!;
      const start = await store.headPosition();
      const stream = newStream();
      await store.append(stream, someEvents(3));
      for (let i = 0; i < 5; i++) standIn.writeDirect('$stats-127.0.0.1:2113', [{ type: '$statsCollected' }]);
      const last = await store.append(stream, someEvents(2));
      for (let i = 0; i < 5; i++) standIn.writeDirect('$stats-127.0.0.1:2113', [{ type: '$statsCollected' }]);
      const small = openEsdbStore(standIn.connectionString, { ...TEST_STORE_OPTIONS, pageSize: 2 });
      try {
        expect(await collect(small.readAll({ after: start }))).toEqual(await store.readStream(stream));
        expect(eventIds(await collect(small.readAll({ after: start, maxCount: 4 })))).toEqual(eventIds((await store.readStream(stream)).slice(0, 4)));
        expect(await small.headPosition()).toBe(last.position);
      } finally {
        await small.close();
      }
    });

    it('refuses to read an event the ledger did not write', async () => {
      const stream = newStream();
      esdb.standIn!.writeDirect(stream, [{ type: 'SomethingElse', data: { hello: 'world' }, metadata: { author: 'another system' } }]);
      await expect(store.readStream(stream)).rejects.toBeInstanceOf(ForeignEventError);
    });

    it('appends through BatchAppend when the server offers it', async () => {
      const before = esdb.standIn!.calls.batchAppend + esdb.standIn!.calls.append;
      await store.append(newStream(), someEvents(1));
      expect(esdb.standIn!.calls.append + esdb.standIn!.calls.batchAppend).toBeGreaterThanOrEqual(before);
      expect(esdb.standIn!.calls.batchAppend).toBeGreaterThan(0);
      expect(esdb.standIn!.calls.append).toBe(0);
    });
  });
});

describe('an older server without BatchAppend', () => {
  it.skipIf(!onStandIn)('is appended to through Append, with the same results', async () => {
    const { store, standIn, cleanup } = await openEsdbUnderTest({ standIn: { serverFeatures: false } });
    try {
      const stream = newStream();
      const batch = someEvents(2);
      const first = await store.append(stream, batch, 'no_stream');
      expect(await store.append(stream, resend(batch), 'no_stream')).toEqual(first);
      await expect(store.append(stream, someEvents(1), 0)).rejects.toMatchObject({ actual: 1 });
      expect(standIn!.calls).toMatchObject({ batchAppend: 0 });
      expect(standIn!.calls.append).toBeGreaterThanOrEqual(3);
      expect(await readAllOf(store, [stream])).toEqual(first.events);
    } finally {
      await store.close();
      await cleanup();
    }
  });
});

describe('a database that cannot be reached', () => {
  let standIn: EsdbStandIn;
  let store: EsdbEventStore;
  let withCredentials: string;
  beforeAll(async () => {
    standIn = await EsdbStandIn.start();
    await standIn.stop();
    // A port nothing listens on any more, and a password that must not leak.
    withCredentials = `esdb://admin:s3cret-pw@127.0.0.1:${standIn.port}?tls=false`;
    store = openEsdbStore(withCredentials, TEST_STORE_OPTIONS);
  });
  afterAll(() => store.close());

  it('fails ping with StoreUnavailableError naming the server without credentials', async () => {
    const error = await rejectionOf(store.ping());
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain(`esdb://127.0.0.1:${standIn.port}?tls=false`);
    expect(message).not.toContain('s3cret-pw');
    expect(message).not.toContain('admin');
  });

  it('fails reads and appends the same way', async () => {
    for (const attempt of [store.readStream(newStream()), store.append(newStream(), someEvents(1)), store.headPosition(), collect(store.readAll())]) {
      const error = await rejectionOf(attempt);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).not.toContain('s3cret-pw');
    }
  });

  it('reports a malformed connection string without its credentials', () => {
    let error: unknown;
    try {
      openEsdbStore('esdb://admin:s3cret-pw@localhost:notaport?tls=false');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it.each([
    ['esdb://admin:changeit@db:2113?tls=false', 'esdb://db:2113?tls=false'],
    ['esdb+discover://ops@node1:2113,node2:2113?tls=false', 'esdb+discover://node1:2113,node2:2113?tls=false'],
    ['esdb://localhost:2113?tls=false', 'esdb://localhost:2113?tls=false'],
  ])('redacts %s', (raw, redacted) => {
    expect(redactConnectionString(raw)).toBe(redacted);
  });
});
