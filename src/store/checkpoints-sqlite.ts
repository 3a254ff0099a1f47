import type Database from 'better-sqlite3';
import type { CheckpointStore, ProjectionCheckpoint } from '../../projections/checkpoint-store.js';

interface Row {
  position: number;
  state: string;
  updated_at: string;
}

/**
 * Projection checkpoints in the ledger's SQLite file (or the local state file when events live
 * in EventStoreDB). One row per projection, replaced whole, so position and state never diverge.
 */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly select;
  private readonly upsert;

  constructor(db: Database.Database, private readonly now: () => Date = () => new Date()) {
    db.exec(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
      name TEXT PRIMARY KEY, position INTEGER NOT NULL, state TEXT NOT NULL CHECK (json_valid(state)), updated_at TEXT NOT NULL)`);
    this.select = db.prepare<[string], Row>('SELECT position, state, updated_at FROM projection_checkpoints WHERE name = ?');
    this.upsert = db.prepare<[string, number, string, string]>(
      `INSERT INTO projection_checkpoints (name, position, state, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, state = excluded.state, updated_at = excluded.updated_at`,
    );
  }

  async load(name: string): Promise<ProjectionCheckpoint | undefined> {
    const row = this.select.get(name);
    return row && { position: row.position, state: JSON.parse(row.state) as unknown, updatedAt: row.updated_at };
  }

  async save(name: string, checkpoint: { position: number; state: unknown }): Promise<void> {
    this.upsert.run(name, checkpoint.position, JSON.stringify(checkpoint.state), this.now().toISOString());
  }
}
