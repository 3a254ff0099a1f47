import type Database from 'better-sqlite3';

/** The first answer to a write sent with an Idempotency-Key, replayed to every retry. */
export interface IdempotentAnswer {
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyStore {
  get(scope: string, key: string): IdempotentAnswer | undefined;
  put(scope: string, key: string, answer: IdempotentAnswer): void;
}

/**
 * Keeps answers in the ledger's SQLite file (or the local state file when events live in
 * EventStoreDB). Entries older than the retention are pruned lazily on write.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly select;
  private readonly insert;
  private readonly prune;
  private writes = 0;

  constructor(db: Database.Database, private readonly retentionMs = 24 * 3600_000) {
    db.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
      scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
      headers TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL,
      PRIMARY KEY (scope, key))`);
    this.select = db.prepare<[string, string], { fingerprint: string; status: number; headers: string; body: string }>(
      'SELECT fingerprint, status, headers, body FROM idempotency_keys WHERE scope = ? AND key = ?',
    );
    this.insert = db.prepare('INSERT OR IGNORE INTO idempotency_keys VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.prune = db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?');
  }

  get(scope: string, key: string): IdempotentAnswer | undefined {
    const row = this.select.get(scope, key);
    return row && { fingerprint: row.fingerprint, status: row.status, headers: JSON.parse(row.headers) as Record<string, string>, body: row.body };
  }

  put(scope: string, key: string, answer: IdempotentAnswer): void {
    const now = Date.now();
    this.insert.run(scope, key, answer.fingerprint, answer.status, JSON.stringify(answer.headers), answer.body, now);
    if (++this.writes % 1000 === 0) this.prune.run(now - this.retentionMs);
  }
}
