import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Config } from '../config.js';
import type { LogFollower } from '../log/follow.js';
import { LedgerLog } from '../log/ledger-log.js';
import { checkpointSigner } from '../log/signing.js';
import type { EventStore } from '../store/port.js';
import { openStateDatabase, SqliteEventStore } from '../store/sqlite/index.js';
import { ROW_COLUMNS, ROW_RANGE_QUERY, type InsertRow } from '../store/sqlite/rows.js';
import { rowToReadEvent, type ReadEvent } from '../audit/row-check.js';
import { CliError, errorMessage, usageError } from './io.js';

export type { ReadEvent } from '../audit/row-check.js';

/**
 * The local ledger as the CLI needs it: the event store and the ledger log, without the
 * projection runner or the HTTP layer (those are `openServices`' job; `replay` uses it).
 */
export interface LocalLedger {
  readonly config: Config;
  readonly store: EventStore;
  readonly log: LedgerLog;
  /** Where the events are, for messages. */
  readonly where: string;
  /** Set with the SQLite store: the import path lives there. */
  readonly sqlite: SqliteEventStore | undefined;
  /** Absorbs into the log every event the store holds that it has not absorbed yet. */
  catchUpLog(): Promise<void>;
  /**
   * Every event in global order. With SQLite the rows are read directly and tolerantly: a row
   * whose JSON was damaged still comes out (so verification names it) instead of aborting the read.
   */
  readEvents(): AsyncIterable<ReadEvent>;
  /** With SQLite, the whole rows with first ≤ position ≤ last, as readEvents reads them: for verifying by range. */
  readRows: ((first: number, last: number) => InsertRow[]) | undefined;
  /** The stored chain hash of an event, when the store can look events up by id (SQLite). */
  eventHash(eventId: string): string | undefined;
  close(): Promise<void>;
}

const PAGE = 2_000;

/**
 * Opens the configured store and its log. `mustExist` refuses a SQLite path with no file
 * (reading commands), rather than creating an empty ledger and reporting on nothing.
 */
export async function openLocal(config: Config, options: { mustExist: boolean }): Promise<LocalLedger> {
  const signer = (() => {
    if (!config.LEDGER_SIGNING_KEY) return undefined;
    try {
      return checkpointSigner(config.LEDGER_SIGNING_KEY);
    } catch (error) {
      throw usageError(`LEDGER_SIGNING_KEY ${config.LEDGER_SIGNING_KEY}: ${errorMessage(error)}`);
    }
  })();

  let store: EventStore;
  let sqlite: SqliteEventStore | undefined;
  let stateDb: Database.Database;
  let where: string;
  try {
    if (config.LEDGER_STORE === 'sqlite') {
      const path = config.LEDGER_DB;
      if (options.mustExist && path !== ':memory:' && !existsSync(path)) throw usageError(`no ledger at ${path} (set LEDGER_DB or pass --db)`);
      sqlite = new SqliteEventStore(path);
      store = sqlite;
      // The log's tables live in the same file, as with the server.
      stateDb = openStateDatabase(path);
      where = path;
    } else {
      // Loaded only when used: the EventStoreDB client (gRPC) is most of the CLI's start-up time.
      const { openEsdbStore } = await import('../store/esdb/index.js');
      store = openEsdbStore(config.ESDB_CONNECTION_STRING ?? '');
      stateDb = openStateDatabase(config.LEDGER_STATE_DB);
      where = 'EventStoreDB';
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw usageError(`cannot open the ledger: ${errorMessage(error)}`);
  }
  const log = new LedgerLog(stateDb, signer ? { signer } : {});
  const byId =
    config.LEDGER_STORE === 'sqlite' ? stateDb.prepare<[string], string>('SELECT hash FROM events WHERE event_id = ?').pluck() : undefined;
  const page =
    config.LEDGER_STORE === 'sqlite'
      ? stateDb.prepare<[number, number], InsertRow>(`SELECT ${ROW_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`)
      : undefined;
  const rowRange = config.LEDGER_STORE === 'sqlite' ? stateDb.prepare<[number, number], InsertRow>(ROW_RANGE_QUERY) : undefined;

  return {
    config,
    store,
    log,
    where,
    sqlite,
    async catchUpLog() {
      let follower: LogFollower | undefined;
      const caughtUp = new Promise<void>((resolve, reject) => {
        follower = log.follow(store, { onCaughtUp: resolve, onError: reject });
      });
      try {
        await caughtUp;
      } finally {
        await follower?.close();
      }
    },
    async *readEvents() {
      if (!page) {
        for await (const event of store.readAll()) yield { event };
        return;
      }
      let after = -1;
      for (;;) {
        const rows = page.all(after, PAGE);
        for (const row of rows) yield rowToReadEvent(row);
        if (rows.length < PAGE) return;
        after = rows[rows.length - 1]!.position;
      }
    },
    readRows: rowRange && ((first, last) => rowRange.all(first, last)),
    eventHash: (eventId) => byId?.get(eventId),
    async close() {
      await store.close();
      stateDb.close();
    },
  };
}
