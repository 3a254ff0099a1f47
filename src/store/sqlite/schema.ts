import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** Bump together with a new step in migrate(); stored events are never rewritten. */
export const SCHEMA_VERSION = 1;

/**
 * One table. `position` is the rowid, so reading $all in order is a walk of the table's own
 * b-tree. data and metadata are the JSON the store hands back, written as the RFC 8785 texts the
 * chain hash covers (rows from older builds hold JSON.stringify text; both read the same); the
 * other columns repeat what verification and benchmark tools query, so they need not parse JSON.
 */
const CREATE_EVENTS = `
CREATE TABLE events (
  position    INTEGER PRIMARY KEY,
  stream      TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  event_id    TEXT    NOT NULL UNIQUE,
  recorded_at TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  hash        TEXT    NOT NULL,
  prev_hash   TEXT    NOT NULL,
  UNIQUE (stream, revision)
) STRICT`;

export const isInMemory = (path: string): boolean => path === ':memory:' || path === '';

/** Opens (creating if needed) a ledger database for writing: WAL, and every commit fsynced. */
export function openDatabase(path: string): SqliteDatabase {
  if (!isInMemory(path)) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    refuseForeign(db);
    db.pragma('journal_mode = WAL');
    // NORMAL would be faster, but in WAL mode it can lose the last commits on power loss:
    // an append that returned must survive.
    db.pragma('synchronous = FULL');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Opens (creating if needed) a database for the services' own state (checkpoints, the ledger log,
 * idempotency answers): durable like the ledger, with no events table of its own. It may be the
 * ledger's own file, which the event store writes through its own connection: wait for its lock.
 */
export function openStateDatabase(path: string): SqliteDatabase {
  if (!isInMemory(path)) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Opens an existing ledger database read-only, for tools (verify, bench, export) that query
 * the columns directly. Safe while a server writes to the same file.
 */
export function openSqliteReadOnly(path: string): SqliteDatabase {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const version = userVersion(db);
  if (version !== SCHEMA_VERSION) {
    db.close();
    throw new Error(`${path}: ledger schema version ${version}, this build reads ${SCHEMA_VERSION}`);
  }
  return db;
}

/** The tables of a database with no ledger schema version: a database of something else, unless there are none. */
export function foreignTables(db: SqliteDatabase): string[] {
  if (userVersion(db) !== 0) return [];
  return db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
}

/**
 * A database of something else is not made a ledger: migrating would add the events table to it.
 * Checked before anything is written, WAL mode included.
 */
function refuseForeign(db: SqliteDatabase): void {
  const tables = foreignTables(db);
  if (tables.length > 0) throw new Error(`${db.name} is not a ledger database: it holds other tables (${tables.slice(0, 5).join(', ')})`);
}

function userVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: SqliteDatabase): void {
  db.transaction(() => {
    const version = userVersion(db);
    if (version > SCHEMA_VERSION) {
      throw new Error(`ledger schema version ${version} is newer than this build (${SCHEMA_VERSION})`);
    }
    if (version < 1) {
      db.exec(CREATE_EVENTS);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
  }).immediate();
}
