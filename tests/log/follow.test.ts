import { afterEach, describe, expect, it, vi } from 'vitest';
import { LedgerLogError } from '../../src/log/errors.js';
import { LedgerLog } from '../../src/log/ledger-log.js';
import { rootOf } from '../../src/log/merkle.js';
import { leafOf, MemoryStore, storedEvent, storedEvents, tempDatabase } from './helpers.js';

const rootOfEvents = (n: number): string => rootOf(storedEvents(0, n).map(leafOf)).toString('hex');

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function setup(): { log: LedgerLog; store: MemoryStore } {
  const db = tempDatabase();
  cleanups.push(db.cleanup);
  return { log: new LedgerLog(db.db), store: new MemoryStore() };
}

describe('following an event store', () => {
  it('catches up from the beginning in batches, then absorbs live appends', async () => {
    const { log, store } = setup();
    store.push(...storedEvents(0, 2_500));
    const append = vi.spyOn(log, 'append');
    const caughtUp = new Promise<void>((resolve) => {
      const follower = log.follow(store, { batchSize: 1_000, onCaughtUp: resolve });
      cleanups.push(() => void follower.close());
    });
    await caughtUp;
    expect(store.subscribedAfter).toEqual([undefined]);
    expect(log.size()).toBe(2_500);
    expect(append.mock.calls.length).toBeLessThanOrEqual(3);

    store.push(...storedEvents(2_500, 2_510));
    await vi.waitFor(() => expect(log.size()).toBe(2_510));
    expect(log.root()).toBe(rootOfEvents(2_510));
  });

  it('resumes after the last position it absorbed', async () => {
    const { log, store } = setup();
    store.push(...storedEvents(0, 20));
    log.append(storedEvents(0, 12));
    const follower = log.follow(store);
    await vi.waitFor(() => expect(log.size()).toBe(20));
    await follower.close();
    expect(store.subscribedAfter).toEqual([storedEvent(11).position]);
    expect(log.root()).toBe(rootOfEvents(20));
  });

  it('stops and reports when the store hands it a rewritten history', async () => {
    const { log, store } = setup();
    log.append(storedEvents(0, 3));
    const errors: Error[] = [];
    const follower = log.follow(store, { onError: (e) => errors.push(e) });
    store.push(storedEvent(3), storedEvent(4), { ...storedEvent(5), position: storedEvent(1).position });
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toBeInstanceOf(LedgerLogError);
    // Position 1 was absorbed as event 1: the store now claims another event there.
    expect((errors[0] as LedgerLogError).code).toBe('history-conflict');
    store.push(storedEvent(6));
    await follower.close();
    expect(log.size()).toBe(3);
  });
});
