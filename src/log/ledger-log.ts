import type Database from 'better-sqlite3';
import type { StoredEvent } from '../../events/index.js';
import type { EventStore } from '../store/port.js';
import { LedgerLogError } from './errors.js';
import { follow, type FollowOptions, type LogFollower } from './follow.js';
import { Frontier } from './frontier.js';
import { parseSha256Hex, toHex } from './hex.js';
import { consistencyProof, inclusionProof, leafHash } from './merkle.js';
import { NodeStore } from './node-store.js';
import type { Checkpoint, ConsistencyProof, InclusionProof } from './schemas.js';
import type { CheckpointSigner } from './signing.js';

export interface LedgerLogOptions {
  /** Signs every checkpoint when given. */
  signer?: CheckpointSigner;
}

export interface AppendSummary {
  /** Events that became new leaves (already absorbed ones are skipped). */
  appended: number;
  size: number;
  lastPosition: number;
}

/**
 * The ledger log (DESIGN "Tamper evidence", layer 2): every event's chain hash, in global
 * order, as a leaf of an RFC 6962 Merkle tree kept in SQLite. It takes a Database rather than
 * an event store so it can live beside the SQLite events or in a local file when the events
 * are in EventStoreDB.
 */
export class LedgerLog {
  private readonly nodes: NodeStore;
  /** The tree's right border, cached for appends; re-checked against the table on every append. */
  private frontier: Frontier | undefined;
  readonly signer: CheckpointSigner | undefined;

  constructor(db: Database.Database, options: LedgerLogOptions = {}) {
    this.nodes = new NodeStore(db);
    this.signer = options.signer;
  }

  /**
   * Absorbs events given in global order, in one transaction. Positions at or below
   * lastPosition() are skipped after checking they hold the very event absorbed before.
   */
  append(events: readonly StoredEvent[]): AppendSummary {
    const { frontier, summary } = this.nodes.inWriteTransaction(() => {
      const count = this.nodes.leafCount();
      // Another connection may have appended since we cached the border: trust the table.
      const border = this.frontier?.size === count ? this.frontier.clone() : Frontier.load(count, (l, i) => this.nodes.readNode(l, i));
      let last = this.nodes.lastPosition();
      let appended = 0;
      for (const event of events) {
        const eventHash = parseSha256Hex(event.metadata.hash);
        if (!eventHash || !Number.isSafeInteger(event.position) || event.position < 0) {
          throw new LedgerLogError('invalid-event', `event ${event.metadata.eventId} has no valid chain hash or position`);
        }
        if (event.position <= last) {
          this.checkAbsorbed(event, eventHash);
          continue;
        }
        this.absorb(event, eventHash, border);
        last = event.position;
        appended += 1;
      }
      return { frontier: border, summary: { appended, size: border.size, lastPosition: last } };
    });
    this.frontier = frontier;
    return summary;
  }

  /** Number of leaves (events) in the log. */
  size(): number {
    return this.nodes.leafCount();
  }

  /** Global position of the last absorbed event, -1 when the log is empty: where to resume. */
  lastPosition(): number {
    return this.nodes.lastPosition();
  }

  /** Number of leaves absorbed for events at or before global `position`. */
  leavesThrough(position: number): number {
    return this.nodes.leavesThrough(position);
  }

  /** Root hash (hex) of the tree of the first `size` leaves; the current tree by default. */
  root(size?: number): string {
    const n = this.checkedSize(size ?? this.size(), { allowEmpty: true });
    return toHex(this.nodes.subtrees()(0, n));
  }

  /** The log's current size and root, stamped `at` and signed when a signer is configured. */
  checkpoint(at: Date): Checkpoint {
    const size = this.size();
    const body = { size, root: this.root(size), at: at.toISOString() };
    return this.signer ? { ...body, signature: this.signer.sign(body) } : body;
  }

  /** Proof that the event is leaf `leafIndex` of the tree of `size` (the current one by default). */
  inclusionProof(eventId: string, size?: number): InclusionProof {
    // With no size asked for, an unknown event in an empty log is "unknown", not "bad size".
    const n = size === undefined ? this.size() : this.checkedSize(size);
    const leaf = this.nodes.leafByEvent(eventId);
    if (!leaf) throw new LedgerLogError('unknown-event', `event ${eventId} is not in the log`);
    if (leaf.leafIndex >= n) {
      throw new LedgerLogError('event-after-size', `event ${eventId} is leaf ${leaf.leafIndex}, after a tree of ${n}`);
    }
    return {
      leafIndex: leaf.leafIndex,
      size: n,
      leafHash: toHex(this.nodes.readNode(0, leaf.leafIndex)),
      proof: inclusionProof(leaf.leafIndex, n, this.nodes.subtrees()).map(toHex),
    };
  }

  /** Proof that the tree of `to` leaves (the current one by default) extends the tree of `from`. */
  consistencyProof(from: number, to?: number): ConsistencyProof {
    const current = this.size();
    const target = to ?? current;
    for (const n of [from, target]) {
      if (!Number.isSafeInteger(n) || n < 1) throw new LedgerLogError('invalid-size', `tree size must be a positive integer, got ${n}`);
    }
    if (from > target) throw new LedgerLogError('invalid-range', `from (${from}) is larger than to (${target})`);
    this.checkedSize(target);
    return { from, to: target, proof: consistencyProof(from, target, this.nodes.subtrees()).map(toHex) };
  }

  /** Subscribes to the store from lastPosition() and absorbs what arrives, in batches. */
  follow(store: EventStore, options?: FollowOptions): LogFollower {
    return follow(this, store, options);
  }

  private absorb(event: StoredEvent, eventHash: Buffer, border: Frontier): void {
    const leafIndex = border.size;
    try {
      this.nodes.writeLeaf({ leafIndex, eventId: event.metadata.eventId, position: event.position, eventHash });
    } catch (error) {
      // The position is new (checked by the caller), so a unique violation is the event id.
      if (error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new LedgerLogError('history-conflict', `event ${event.metadata.eventId} was already absorbed at another position`);
      }
      throw error;
    }
    for (const node of border.push(leafHash(eventHash))) this.nodes.writeNode(node);
  }

  private checkAbsorbed(event: StoredEvent, eventHash: Buffer): void {
    const leaf = this.nodes.leafByPosition(event.position);
    if (!leaf) {
      throw new LedgerLogError('out-of-order', `position ${event.position} (event ${event.metadata.eventId}) is behind the log's last absorbed position`);
    }
    if (leaf.eventId !== event.metadata.eventId || !leaf.eventHash.equals(eventHash)) {
      throw new LedgerLogError(
        'history-conflict',
        `position ${event.position} was absorbed as event ${leaf.eventId} (${toHex(leaf.eventHash)}), now holds ${event.metadata.eventId} (${event.metadata.hash})`,
      );
    }
  }

  private checkedSize(size: number, { allowEmpty = false } = {}): number {
    if (!Number.isSafeInteger(size) || size < (allowEmpty ? 0 : 1)) {
      throw new LedgerLogError('invalid-size', `tree size must be a ${allowEmpty ? 'non-negative' : 'positive'} integer, got ${size}`);
    }
    const current = this.size();
    if (size > current) throw new LedgerLogError('size-beyond-log', `tree size ${size} is beyond the log's ${current} leaves`);
    return size;
  }
}
