import type { EventStore, SubscribeOptions } from '../../../src/store/port.js';

/** What each part of the contract gets from the suite: the store under test, once it exists. */
export interface ContractContext {
  readonly store: EventStore;
  /** A fresh stream holding `n` events (n = 0: no stream at all). */
  streamWith(n: number): Promise<string>;
  /** Subscription options that start at the current head, skipping whatever other tests wrote. */
  fromHead(): Promise<SubscribeOptions>;
}
