import type { EventMetadataInput, StoredEvent } from '../../events/index.js';

/**
 * How the caller expects the stream to stand before the append, as in EventStoreDB:
 * `any` (no check), `no_stream` (must not exist), `stream_exists` (must exist),
 * or the exact revision of the stream's last event (0-based).
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** What the application hands the store: the store adds revision, position and the chain fields. */
export interface NewEvent {
  type: string;
  data: unknown;
  metadata: EventMetadataInput;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextExpectedRevision: number;
  /** Global position of the last event appended (or of the matching events for an idempotent retry). */
  position: number;
  /** The events as stored, with chain fields. */
  events: StoredEvent[];
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive; forwards defaults to 0, backwards to the last revision. */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this global position. Omit to start at the beginning. */
  after?: number;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive: deliver events strictly after this global position. Omit to start at the beginning. */
  after?: number;
  /** Called once when the catch-up phase has reached the head and live delivery begins. */
  onCaughtUp?: () => void;
  /** Called when the subscription ends on an error it cannot recover from. */
  onError?: (error: Error) => void;
}

export interface Subscription {
  close(): Promise<void>;
}

/**
 * An event as a store that keeps JSON text holds it: its data and its metadata (chain fields
 * included) as the texts written, RFC 8785 canonical since stores write them so (older rows may
 * hold other JSON). Verification hashes these bytes rather than writing the values out again.
 */
export interface StoredEventJson {
  stream: string;
  revision: number;
  position: number;
  type: string;
  dataJson: string;
  metadataJson: string;
}

/** Handlers run one at a time in global order; the next event waits for the returned promise. */
export type EventHandler = (event: StoredEvent) => void | Promise<void>;

/**
 * The one seam between the ledger and its storage. Every store runs the same contract suite
 * (tests/store/contract.ts). Positions are global and strictly increasing in commit order,
 * but not necessarily dense (EventStoreDB's are byte offsets in its log).
 */
/**
 * `$all` read by position range: what lets verification share the reading of a ledger with a
 * second thread, which opens `file` itself rather than being sent every event's texts.
 */
export interface PositionRanges {
  /** The SQLite file a second thread opens read-only, and reads with RANGE_QUERY. */
  file: string;
  /** The last position now, -1 when empty. */
  head(): number;
  /** The first position at or after `from`, or undefined when there is none. */
  firstAtOrAfter(from: number): number | undefined;
  /** Every event with first ≤ position ≤ last, in order, as stored texts. */
  readRange(first: number, last: number): StoredEventJson[];
}

export interface EventStore {
  readonly kind: string;
  append(stream: string, events: NewEvent[], expectedRevision?: ExpectedRevision): Promise<AppendResult>;
  /** Returns [] for a stream that does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Revision of the stream's last event, or -1 when it does not exist. */
  streamRevision(stream: string): Promise<number>;
  readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent>;
  /**
   * Optional: the same, a page at a time (SQLite). Each page parses its events as they are taken
   * and can be iterated once, before the next is asked for. For folds over the whole ledger, where
   * an await per event costs about a tenth of a rebuild's time: see readAllInPages.
   */
  readAllPages?(options?: ReadAllOptions): AsyncIterable<Iterable<StoredEvent>>;
  /** Optional: `$all` as the stored JSON texts, unparsed (SQLite). Verification reads this when offered. */
  readAllJson?(options?: ReadAllOptions): AsyncIterable<StoredEventJson>;
  /** Optional: the same, a page (array, in order) at a time, for readers that work in batches. */
  readAllJsonPages?(options?: ReadAllOptions): AsyncIterable<StoredEventJson[]>;
  /**
   * Optional: `$all` by position range, here and from another thread (stores kept in one local
   * file: SQLite); undefined when no other thread can open the store (an in-memory database).
   */
  positionRanges?(): PositionRanges | undefined;
  /** Optional: one whole stream as the stored JSON texts, in revision order; [] when it does not exist. */
  readStreamJson?(stream: string): Promise<StoredEventJson[]>;
  /** Position of the last event in the store, or -1 when empty. */
  headPosition(): Promise<number>;
  /** Catch up from `after`, then follow new appends live, in order, with no gaps or repeats. */
  subscribeToAll(handler: EventHandler, options?: SubscribeOptions): Subscription;
  /** Is the store reachable and usable? For /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
