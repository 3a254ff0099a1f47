/**
 * The EventStoreDB store for tests: a real server when ESDB_CONNECTION_STRING is set
 * (`npm run test:esdb`), otherwise a fresh in-process stand-in. Other suites (the API suite,
 * say) can run against EventStoreDB the same way:
 *
 *   const { store, cleanup } = await openEsdbUnderTest();
 *   …
 *   await store.close();
 *   await cleanup();
 */
import { openEsdbStore, type EsdbEventStore, type EsdbStoreOptions } from '../../src/store/esdb/index.js';
import { StoreUnavailableError } from '../../src/store/errors.js';
import { pause } from '../store/fixtures.js';
import { EsdbStandIn, type EsdbStandInOptions } from './stand-in/index.js';

export interface EsdbUnderTest {
  store: EsdbEventStore;
  /** Present when running against the stand-in. */
  standIn?: EsdbStandIn;
  /** Stops the stand-in, if any; close the store first. */
  cleanup: () => Promise<void>;
}

/** The real server's connection string, when the suite should run against one. */
export const realConnectionString = (): string | undefined => process.env.ESDB_CONNECTION_STRING || undefined;

/** Reconnect quickly in tests: the stand-in restarts in milliseconds. */
export const TEST_STORE_OPTIONS: EsdbStoreOptions = { reconnect: { initialDelayMs: 20, maxDelayMs: 500 }, pingTimeoutMs: 2_000 };

export async function openEsdbUnderTest(options: { standIn?: EsdbStandInOptions; store?: EsdbStoreOptions } = {}): Promise<EsdbUnderTest> {
  const storeOptions = { ...TEST_STORE_OPTIONS, ...options.store };
  const real = realConnectionString();
  if (real) return { store: openEsdbStore(real, storeOptions), cleanup: async () => {} };
  const standIn = await EsdbStandIn.start(options.standIn);
  return { store: openEsdbStore(standIn.connectionString, storeOptions), standIn, cleanup: () => standIn.stop() };
}

/** Starts a stand-in for a whole test file: `const esdb = await startEsdbStandIn()` in beforeAll, `await esdb.stop()` in afterAll. */
export function startEsdbStandIn(options?: EsdbStandInOptions): Promise<EsdbStandIn> {
  return EsdbStandIn.start(options);
}

/** Retries a call while the database is unavailable, as a caller with a retry policy would. */
export async function retryWhileUnavailable<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || Date.now() > deadline) throw error;
      await pause(25);
    }
  }
}
