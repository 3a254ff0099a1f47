import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ZERO_HASH, type StoredEvent } from '../../events/index.js';
import type { EventHandler, EventStore, SubscribeOptions, Subscription } from '../../src/store/port.js';
import { leafHash } from '../../src/log/merkle.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A valid, deterministic ULID-shaped id for event number i. */
export function eventId(i: number, salt = 0): string {
  let n = i * 7 + salt;
  let out = '';
  for (let k = 0; k < 16; k++) {
    out = CROCKFORD[n % 32]! + out;
    n = Math.floor(n / 32);
  }
  return `01J0000000${out}`;
}

export const chainHashOf = (i: number, salt = 0): string => createHash('sha256').update(`event ${i} ${salt}`).digest('hex');

/**
 * Event number i as a store hands it back. Positions step by 3 so tests notice any code that
 * assumes dense positions (EventStoreDB's are byte offsets). `salt` makes a different event.
 */
export function storedEvent(i: number, salt = 0): StoredEvent {
  return {
    stream: `incident-${eventId(0)}`,
    revision: i,
    position: i * 3 + 1,
    type: 'IncidentDetailsRevised',
    data: { n: i },
    metadata: {
      eventId: eventId(i, salt),
      recordedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
      actor: 'test',
      correlationId: 'c',
      causationId: 'c',
      schemaVersion: 1,
      prevHash: ZERO_HASH,
      hash: chainHashOf(i, salt),
    },
  };
}

export const storedEvents = (from: number, to: number): StoredEvent[] =>
  Array.from({ length: to - from }, (_, k) => storedEvent(from + k));

/** The leaf hash the log must hold for an event. */
export const leafOf = (event: StoredEvent): Buffer => leafHash(Buffer.from(event.metadata.hash, 'hex'));

/** A database file in a fresh temporary directory; `reopen` gives another connection to it. */
export function tempDatabase(): { path: string; db: Database.Database; reopen: () => Database.Database; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-log-'));
  const path = join(dir, 'ledger.db');
  const opened: Database.Database[] = [];
  const reopen = (): Database.Database => {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    opened.push(db);
    return db;
  };
  return {
    path,
    db: reopen(),
    reopen,
    cleanup: () => {
      for (const db of opened) if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const unused = (): never => {
  throw new Error('not used by the log');
};

/** Just enough of an event store to follow: catch-up from `after`, then live delivery of push()ed events. */
export class MemoryStore implements EventStore {
  readonly kind = 'memory';
  readonly events: StoredEvent[] = [];
  /** The `after` each subscription asked for. */
  readonly subscribedAfter: Array<number | undefined> = [];
  private readonly live = new Set<(event: StoredEvent) => void>();

  push(...events: StoredEvent[]): void {
    for (const event of events) {
      this.events.push(event);
      for (const deliver of this.live) deliver(event);
    }
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    this.subscribedAfter.push(options.after);
    let closed = false;
    let chain = Promise.resolve();
    const deliver = (event: StoredEvent): void => {
      chain = chain.then(async () => {
        if (!closed) await handler(event);
      });
    };
    const after = options.after ?? -1;
    for (const event of this.events) if (event.position > after) deliver(event);
    chain = chain.then(() => options.onCaughtUp?.());
    this.live.add(deliver);
    return {
      close: async () => {
        closed = true;
        this.live.delete(deliver);
        await chain;
      },
    };
  }

  append = unused;
  readStream = unused;
  streamRevision = unused;
  readAll = unused;
  headPosition = unused;
  ping = async (): Promise<void> => {};
  close = async (): Promise<void> => {};
}
