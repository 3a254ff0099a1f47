/**
 * The adapter across a server restart: the stand-in drops every connection at once (like a
 * crashed or restarted EventStoreDB) and comes back on the same port with the same data.
 * Only the stand-in can be restarted, so these tests never run against a real server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../../events/index.js';
import { StoreUnavailableError } from '../../src/store/errors.js';
import { openEsdbStore, type EsdbEventStore } from '../../src/store/esdb/index.js';
import { eventIds, expectStrictlyIncreasing, inStream, newStream, pause, someEvents } from '../store/fixtures.js';
import { realConnectionString, TEST_STORE_OPTIONS, retryWhileUnavailable } from './harness.js';
import { EsdbStandIn } from './stand-in/index.js';


describe.skipIf(realConnectionString() !== undefined)('across a server restart', () => {
  let standIn: EsdbStandIn;
  let store: EsdbEventStore;
  beforeAll(async () => {
    standIn = await EsdbStandIn.start();
    store = openEsdbStore(standIn.connectionString, TEST_STORE_OPTIONS);
  });
  afterEach(() => standIn.start());
  afterAll(async () => {
    await store.close();
    await standIn.stop();
  });

  const restart = async (downMs = 150): Promise<void> => {
    await standIn.stop();
    await pause(downMs);
    await standIn.start();
  };

  it('a subscription stopped mid catch-up resumes where it was: nothing lost, nothing twice', async () => {
    const start = await store.headPosition();
    const stream = newStream();
    await store.append(stream, someEvents(20, 'first'), 'no_stream');
    await store.append(stream, someEvents(20, 'second'), 19);
    const seen: StoredEvent[] = [];
    const errors: Error[] = [];
    let running = 0;
    let mostAtOnce = 0;
    let restarted: Promise<void> | undefined;
    const subscription = store.subscribeToAll(
      async (event) => {
        mostAtOnce = Math.max(mostAtOnce, ++running);
        await pause(2);
        seen.push(event);
        running--;
        // The server goes away while more catch-up events are in flight to us.
        if (seen.length === 10) restarted = restart();
      },
      { after: start, onError: (error) => errors.push(error) },
    );
    try {
      await vi.waitFor(() => expect(restarted).toBeDefined(), { timeout: 5_000 });
      await restarted;
      await retryWhileUnavailable(() => store.append(stream, someEvents(5, 'after the restart'), 39));
      await vi.waitFor(() => expect(inStream(seen, stream)).toHaveLength(45), { timeout: 10_000 });
      await pause(50);
      expect(eventIds(inStream(seen, stream))).toEqual(eventIds(await store.readStream(stream)));
      expectStrictlyIncreasing(seen.map((e) => e.position));
      expect(mostAtOnce).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await subscription.close();
    }
  });

  it('a live subscription picks up what is appended after the server is back', async () => {
    const stream = newStream();
    const seen: StoredEvent[] = [];
    let caughtUp = 0;
    const subscription = store.subscribeToAll((event) => void seen.push(event), {
      after: await store.headPosition(),
      onCaughtUp: () => caughtUp++,
    });
    try {
      await vi.waitFor(() => expect(caughtUp).toBe(1));
      await store.append(stream, someEvents(3), 'no_stream');
      await vi.waitFor(() => expect(inStream(seen, stream)).toHaveLength(3));
      await restart();
      await retryWhileUnavailable(() => store.append(stream, someEvents(3), 2));
      await vi.waitFor(() => expect(inStream(seen, stream)).toHaveLength(6), { timeout: 10_000 });
      expect(eventIds(inStream(seen, stream))).toEqual(eventIds(await store.readStream(stream)));
      expect(caughtUp).toBe(1);
    } finally {
      await subscription.close();
    }
  });

  it('while the server is down, calls fail with StoreUnavailableError; once it is back they work', async () => {
    const stream = newStream();
    await store.append(stream, someEvents(1), 'no_stream');
    await standIn.stop();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.append(stream, someEvents(1), 0)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readStream(stream)).rejects.toBeInstanceOf(StoreUnavailableError);
    await standIn.start();
    await retryWhileUnavailable(() => store.ping());
    const result = await retryWhileUnavailable(() => store.append(stream, someEvents(1), 0));
    expect(result.nextExpectedRevision).toBe(1);
  });

  it('a subscription waiting for the server to come back closes promptly', async () => {
    const errors: Error[] = [];
    const subscription = store.subscribeToAll(() => undefined, { after: await store.headPosition(), onError: (e) => errors.push(e) });
    await pause(50);
    await standIn.stop();
    await pause(200);
    const started = Date.now();
    await subscription.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(errors).toEqual([]);
  });
});
