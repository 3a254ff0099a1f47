/**
 * The one behaviour every EventStore must show, run unchanged against each store by a factory.
 * It assumes nothing the port does not promise: positions only strictly increase (EventStoreDB's
 * are byte offsets), and other writers may share the store, so every test uses its own streams
 * and reads $all narrowed to them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../src/store/port.js';
import { describeAppending } from './contract/appending.js';
import type { ContractContext } from './contract/context.js';
import { describeIntegrity } from './contract/integrity.js';
import { describeReading } from './contract/reading.js';
import { describeSubscribing } from './contract/subscribing.js';
import { newStream, someEvents } from './fixtures.js';

export interface StoreUnderTest {
  store: EventStore;
  /** Runs after the suite has closed the store: remove files, stop stand-in servers. */
  cleanup?: () => Promise<void>;
}

export type StoreFactory = () => Promise<StoreUnderTest>;

export function describeEventStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name} event store contract`, () => {
    let underTest: StoreUnderTest | undefined;

    beforeAll(async () => {
      underTest = await factory();
    });
    afterAll(async () => {
      await underTest?.store.close();
      await underTest?.cleanup?.();
    });

    const t: ContractContext = {
      get store() {
        if (!underTest) throw new Error('the store factory has not run');
        return underTest.store;
      },
      async streamWith(n) {
        const stream = newStream();
        if (n > 0) await t.store.append(stream, someEvents(n), 'no_stream');
        return stream;
      },
      async fromHead() {
        const head = await t.store.headPosition();
        return head < 0 ? {} : { after: head };
      },
    };

    describeAppending(t);
    describeReading(t);
    describeSubscribing(t);
    describeIntegrity(t);

    it('answers ping', async () => {
      await expect(t.store.ping()).resolves.toBeUndefined();
    });
  });
}
