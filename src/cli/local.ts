import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Config } from '../config.js';
import type { LogFollower } from '../log/follow.js';
import { LedgerLog } from '../log/ledger-log.js';
import { checkpointSigner } from '../log/signing.js';
import type { EventStore } from '../store/port.js';
import { openStateDatabase, SqliteEventStore } from '../store/sqlite/index.js';
import { foreignTables, SCHEMA_VERSION } from '../store/sqlite/schema.js';
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
  /** The ledger file could not be written (a read-only evidence copy): nothing was written to it. */
  readonly readOnly: boolean;
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
  /** SQLite's own check of the file (every page read: slow), its problems or none; undefined for another store. */
  fileProblems(): string[] | undefined;
  close(): Promise<void>;
}

const PAGE = 2_000;

/**
 * What a SQLite file is, looked at without writing to it: absent, empty (zero bytes, or a database
 * with no table: SQLite makes a ledger of either), a ledger of this build's schema, or something else.
 */
function sqliteFileKind(path: string): 'absent' | 'empty' | 'ledger' | { other: string } {
  if (!existsSync(path)) return 'absent';
  if (!statSync(path).isFile()) return { other: 'not a regular file' };
  if (statSync(path).size === 0) return 'empty';
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === SCHEMA_VERSION) return 'ledger';
    if (version > SCHEMA_VERSION) return { other: `a ledger of schema version ${version}, newer than this build reads (${SCHEMA_VERSION})` };
    // A database with nothing in it is as good as an empty file.
    const tables = foreignTables(db);
    return tables.length > 0 ? { other: `a SQLite database of something else (tables: ${tables.slice(0, 5).join(', ')})` } : 'empty';
  } catch (error) {
    return { other: `not a SQLite database (${errorMessage(error)})` };
  } finally {
    db?.close();
  }
}

/**
 * Throws a usage error unless `path` is a ledger of this build, or (for a command that may create
 * one, `mustExist` false) a new or empty file.
 */
export function checkLedgerFile(path: string, options: { mustExist: boolean }): void {
  const kind = sqliteFileKind(path);
  if (kind === 'absent' && options.mustExist) throw usageError(`no ledger at ${path} (set LEDGER_DB or pass --db)`);
  if (kind === 'empty' && options.mustExist) throw usageError(`${path} is an empty file, not a ledger`);
  if (typeof kind === 'object') throw usageError(`${path} is not an Incident Ledger database: ${kind.other}`);
}

/** Whether this process may write the file and create its -wal and -shm beside it. */
function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens the configured store and its log. `mustExist` is for reading commands: the path must be a
 * ledger of this build, never created nor converted (an empty or foreign file would otherwise
 * report "ok: 0 events" and gain the ledger's tables); a file this process may not write is
 * opened read-only, the log as stored (`readOnly`, to force that). Writing commands may create a
 * ledger in a new or empty file, but write into no other kind of database.
 */
export async function openLocal(config: Config, options: { mustExist: boolean; readOnly?: boolean }): Promise<LocalLedger> {
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
  let readOnly = false;
  try {
    if (config.LEDGER_STORE === 'sqlite') {
      const path = config.LEDGER_DB;
      // The store and the log would each open a memory database of their own: nothing to share.
      if (path === '' || path === ':memory:') throw usageError('--db needs a ledger file: an in-memory ledger holds nothing a command could read or keep');
      checkLedgerFile(path, options);
      readOnly = options.mustExist && (options.readOnly === true || !writable(path));
      // A reading command never appends: its events are read on a read-only connection, which
      // needs no write lock (a server writing to the file at the same time cannot block it).
      sqlite = new SqliteEventStore(path, { readOnly: options.mustExist });
      store = sqlite;
      // The log's tables live in the same file, as with the server (read as stored when read-only).
      stateDb = readOnly ? new Database(path, { readonly: true, fileMustExist: true }) : openStateDatabase(path);
      where = path;
    } else {
      // Loaded only when used: the EventStoreDB client (gRPC) is most of the CLI's start-up time.
      const { openEsdbStore } = await import('../store/esdb/index.js');
      const esdb = openEsdbStore(config.ESDB_CONNECTION_STRING ?? '');
      // The client connects lazily and the log's catch-up retries forever: a database that is down
      // must end the command here, not hang it.
      try {
        await esdb.ping();
      } catch (error) {
        await esdb.close().catch(() => undefined);
        throw error;
      }
      store = esdb;
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
    readOnly,
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
    fileProblems: () => {
      if (config.LEDGER_STORE !== 'sqlite') return undefined;
      const rows = stateDb.pragma('quick_check') as Array<{ quick_check: string }>;
      return rows.map((row) => row.quick_check).filter((message) => message !== 'ok');
    },
    async close() {
      await store.close();
      stateDb.close();
    },
  };
}
