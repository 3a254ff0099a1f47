import { ProjectionRunner } from '../../projections/runner.js';
import { LedgerLog } from '../log/ledger-log.js';
import { checkpointSigner } from '../log/signing.js';
import type { LogFollower } from '../log/follow.js';
import { SqliteCheckpointStore } from '../store/checkpoints-sqlite.js';
import { openEsdbStore } from '../store/esdb/index.js';
import { SqliteIdempotencyStore } from '../store/idempotency-sqlite.js';
import type { EventStore } from '../store/port.js';
import { openStateDatabase, SqliteEventStore } from '../store/sqlite/index.js';
import type { Environment } from './context.js';
import { Ledger } from './ledger.js';
import { ReadModels } from './read-models.js';

export interface ServiceOptions {
  store: 'sqlite' | 'esdb';
  /** SQLite event file (or ":memory:"), used when store = sqlite. */
  dbPath?: string;
  esdbConnectionString?: string;
  /** Local state (ledger log, checkpoints, idempotency keys) when events live in EventStoreDB. */
  stateDbPath?: string;
  signingKeyPath?: string;
  env?: Environment;
  /** Open on an existing store instead (tests, tools). */
  eventStore?: EventStore;
  onError?: (error: Error) => void;
}

/** Everything the edges (HTTP, CLI) need, wired once: the composition root. */
export interface Services {
  store: EventStore;
  ledger: Ledger;
  runner: ProjectionRunner;
  readModels: ReadModels;
  log: LedgerLog;
  idempotency: SqliteIdempotencyStore;
  /** Resolves once the read models and the log have caught up with the store. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export async function openServices(options: ServiceOptions): Promise<Services> {
  const store =
    options.eventStore ??
    (options.store === 'esdb'
      ? openEsdbStore(options.esdbConnectionString ?? '')
      : new SqliteEventStore(options.dbPath ?? './data/ledger.db'));
  // With SQLite the state lives beside the events in the same file; in memory it needs its own.
  const statePath = options.store === 'sqlite' && !options.eventStore ? (options.dbPath ?? './data/ledger.db') : (options.stateDbPath ?? ':memory:');
  const stateDb = openStateDatabase(statePath);
  const onError = options.onError ?? ((e: Error) => console.error(e));

  const ledger = new Ledger(store, options.env);
  const runner = new ProjectionRunner(store, { checkpoints: new SqliteCheckpointStore(stateDb), onError });
  const readModels = new ReadModels(store, runner);
  ledger.onAppended((events) => readModels.apply(events));
  const log = new LedgerLog(stateDb, options.signingKeyPath ? { signer: checkpointSigner(options.signingKeyPath) } : {});
  const idempotency = new SqliteIdempotencyStore(stateDb);

  let follower: LogFollower | undefined;
  const logCaughtUp = new Promise<void>((resolve, reject) => {
    follower = log.follow(store, { onCaughtUp: resolve, onError: (e) => (reject(e), onError(e)) });
  });
  const ready = Promise.all([runner.start(), logCaughtUp]).then(() => undefined);
  ready.catch(() => undefined);

  return {
    store,
    ledger,
    runner,
    readModels,
    log,
    idempotency,
    ready,
    async close() {
      await follower?.close();
      readModels.close();
      await runner.close();
      await store.close();
      stateDb.close();
    },
  };
}
