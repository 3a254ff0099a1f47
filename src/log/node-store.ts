import type Database from 'better-sqlite3';
import type { StoredNode } from './frontier.js';
import { subtreesFromNodes, type SubtreeHasher } from './merkle.js';

/**
 * The log's tables, prefixed `log_` so they sit beside the SQLite event store's tables in the
 * same file without assuming those exist. A node is written once, when its subtree completes,
 * and never changes: every root and proof up to the current size is a handful of point reads.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS log_nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB    NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_leaves (
  leaf_index INTEGER PRIMARY KEY,
  event_id   TEXT    NOT NULL UNIQUE,
  position   INTEGER NOT NULL UNIQUE,
  hash       BLOB    NOT NULL -- the event's chain hash: the leaf's data, not its leaf hash
);
`;

export interface LeafRecord {
  leafIndex: number;
  eventId: string;
  position: number;
  /** The event's chain hash (metadata.hash), 32 bytes. */
  eventHash: Buffer;
}

interface LeafRow {
  leaf_index: number;
  event_id: string;
  position: number;
  hash: Buffer;
}

const toRecord = (row: LeafRow): LeafRecord => ({
  leafIndex: row.leaf_index,
  eventId: row.event_id,
  position: row.position,
  eventHash: row.hash,
});

/** Storage for the log's complete subtrees and its leaf ↔ event ↔ position index. */
export class NodeStore {
  private readonly selectNode: Database.Statement<[number, number], { hash: Buffer }>;
  private readonly insertNode: Database.Statement<[number, number, Buffer]>;
  private readonly insertLeaf: Database.Statement<[number, string, number, Buffer]>;
  private readonly selectByEvent: Database.Statement<[string], LeafRow>;
  private readonly selectByPosition: Database.Statement<[number], LeafRow>;
  private readonly selectCount: Database.Statement<[], { n: number | null }>;
  private readonly selectLastPosition: Database.Statement<[], { p: number | null }>;
  private readonly selectLeavesThrough: Database.Statement<[number], { n: number }>;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.selectNode = db.prepare('SELECT hash FROM log_nodes WHERE level = ? AND idx = ?');
    this.insertNode = db.prepare('INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)');
    this.insertLeaf = db.prepare('INSERT INTO log_leaves (leaf_index, event_id, position, hash) VALUES (?, ?, ?, ?)');
    this.selectByEvent = db.prepare('SELECT leaf_index, event_id, position, hash FROM log_leaves WHERE event_id = ?');
    this.selectByPosition = db.prepare('SELECT leaf_index, event_id, position, hash FROM log_leaves WHERE position = ?');
    // max() over the primary key and the unique index is a single index probe, not a scan.
    this.selectCount = db.prepare('SELECT max(leaf_index) + 1 AS n FROM log_leaves');
    this.selectLastPosition = db.prepare('SELECT max(position) AS p FROM log_leaves');
    // Leaves are absorbed in position order, so the last one at or before a position tells the count.
    this.selectLeavesThrough = db.prepare('SELECT leaf_index + 1 AS n FROM log_leaves WHERE position <= ? ORDER BY position DESC LIMIT 1');
  }

  /** Number of leaves absorbed for events at or before global `position`. */
  leavesThrough(position: number): number {
    return this.selectLeavesThrough.get(position)?.n ?? 0;
  }

  /** Number of leaves absorbed. */
  leafCount(): number {
    return this.selectCount.get()?.n ?? 0;
  }

  /** Global position of the last absorbed event, -1 when none. */
  lastPosition(): number {
    return this.selectLastPosition.get()?.p ?? -1;
  }

  readNode(level: number, index: number): Buffer {
    const row = this.selectNode.get(level, index);
    if (!row) throw new Error(`log_nodes has no node at level ${level}, index ${index}: the log database is damaged`);
    return row.hash;
  }

  /** MTH of any RFC-shaped range of the absorbed leaves, from stored complete subtrees. */
  subtrees(): SubtreeHasher {
    return subtreesFromNodes((level, index) => this.readNode(level, index));
  }

  writeNode(node: StoredNode): void {
    this.insertNode.run(node.level, node.index, node.hash);
  }

  writeLeaf(leaf: LeafRecord): void {
    this.insertLeaf.run(leaf.leafIndex, leaf.eventId, leaf.position, leaf.eventHash);
  }

  leafByEvent(eventId: string): LeafRecord | undefined {
    const row = this.selectByEvent.get(eventId);
    return row && toRecord(row);
  }

  leafByPosition(position: number): LeafRecord | undefined {
    const row = this.selectByPosition.get(position);
    return row && toRecord(row);
  }

  /** Runs `fn` in a write transaction taken up front, so two writers cannot interleave appends. */
  inWriteTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
