import type Database from 'better-sqlite3';
import { z } from 'zod';
import { PreparedAppend } from '../app/retry-safety.js';

/** The first answer to a write sent with an Idempotency-Key, replayed to every retry. */
export const IdempotentAnswer = z.object({
  fingerprint: z.string(),
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});
export type IdempotentAnswer = z.infer<typeof IdempotentAnswer>;

/**
 * What is kept for a key: the answer once there is one; before that, from the moment the write
 * is about to append, the seed of its ids and the append it noted (see RetrySafety).
 */
export type IdempotencyRecord =
  | { state: 'answered'; answer: IdempotentAnswer }
  | { state: 'prepared'; fingerprint: string; seed: string; prepared: PreparedAppend };

export interface IdempotencyStore {
  get(scope: string, key: string): IdempotencyRecord | undefined;
  /** Notes the append a write is about to make (replacing what an earlier attempt noted). */
  prepare(scope: string, key: string, fingerprint: string, seed: string, prepared: PreparedAppend): void;
  put(scope: string, key: string, answer: IdempotentAnswer): void;
}

interface Row {
  fingerprint: string;
  status: number;
  headers: string;
  body: string;
  seed: string | null;
  prepared: string | null;
}

/**
 * Keeps answers in the ledger's SQLite file (or the local state file when events live in
 * EventStoreDB), fsynced like the ledger. Entries older than the retention are pruned lazily on
 * write. A prepared entry has status 0 and no body yet.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly select;
  private readonly insertPrepared;
  private readonly upsertAnswer;
  private readonly prune;
  private writes = 0;

  constructor(db: Database.Database, private readonly retentionMs = 24 * 3600_000) {
    db.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
      scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
      headers TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL,
      PRIMARY KEY (scope, key))`);
    // Files from builds before prepared appends were noted: the two columns are added, empty.
    const columns = new Set(db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('idempotency_keys')").all().map((c) => c.name));
    if (!columns.has('seed')) db.exec('ALTER TABLE idempotency_keys ADD COLUMN seed TEXT');
    if (!columns.has('prepared')) db.exec('ALTER TABLE idempotency_keys ADD COLUMN prepared TEXT');
    this.select = db.prepare<[string, string], Row>('SELECT fingerprint, status, headers, body, seed, prepared FROM idempotency_keys WHERE scope = ? AND key = ?');
    this.insertPrepared = db.prepare(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, status, headers, body, created_at, seed, prepared) VALUES (?, ?, ?, 0, '{}', '', ?, ?, ?)
       ON CONFLICT (scope, key) DO UPDATE SET prepared = excluded.prepared WHERE status = 0 AND fingerprint = excluded.fingerprint`,
    );
    // A first answer is kept: a later one for the same key never replaces it.
    this.upsertAnswer = db.prepare(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, status, headers, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, key) DO UPDATE SET status = excluded.status, headers = excluded.headers, body = excluded.body
       WHERE status = 0 AND fingerprint = excluded.fingerprint`,
    );
    this.prune = db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?');
  }

  get(scope: string, key: string): IdempotencyRecord | undefined {
    const row = this.select.get(scope, key);
    if (!row) return undefined;
    if (row.status !== 0) {
      const headers = IdempotentAnswer.shape.headers.parse(JSON.parse(row.headers));
      return { state: 'answered', answer: { fingerprint: row.fingerprint, status: row.status, headers, body: row.body } };
    }
    if (row.seed === null || row.prepared === null) return undefined;
    return { state: 'prepared', fingerprint: row.fingerprint, seed: row.seed, prepared: PreparedAppend.parse(JSON.parse(row.prepared)) };
  }

  prepare(scope: string, key: string, fingerprint: string, seed: string, prepared: PreparedAppend): void {
    this.insertPrepared.run(scope, key, fingerprint, Date.now(), seed, JSON.stringify(prepared));
    this.pruneNow();
  }

  put(scope: string, key: string, answer: IdempotentAnswer): void {
    this.upsertAnswer.run(scope, key, answer.fingerprint, answer.status, JSON.stringify(answer.headers), answer.body, Date.now());
    this.pruneNow();
  }

  private pruneNow(): void {
    if (++this.writes % 1000 === 0) this.prune.run(Date.now() - this.retentionMs);
  }
}
