import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ZERO_HASH, type StoredEvent } from '../../../events/index.js';
import { ConcurrencyError, StoreUnavailableError } from '../errors.js';
import { sealEventsJson } from '../hash-chain.js';
import type {
  AppendResult,
  EventHandler,
  EventStore,
  ExpectedRevision,
  NewEvent,
  PositionRanges,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEventJson,
  SubscribeOptions,
  Subscription,
} from '../port.js';
import { assertExpectedRevision, satisfiesExpectedRevision } from '../expected-revision.js';
import { assertDistinctEventIds, matchRetry } from './idempotency.js';
import { isInMemory, openDatabase, openSqliteReadOnly, type SqliteDatabase } from './schema.js';
import { prepareStatements, toStoredEvent, tupleToStoredEvent, tupleToStoredEventJson, type EventRow, type EventTuple, type Statements } from './rows.js';
import { CatchUpSubscription } from './subscription.js';

export interface SqliteEventStoreOptions {
  /** Rows per query when reading $all or catching up a subscription. */
  pageSize?: number;
  /**
   * Opens an existing ledger of this build's schema version without writing to it (an auditor's
   * read-only evidence copy); appends are then refused.
   */
  readOnly?: boolean;
}

interface AppendOutcome {
  result: AppendResult;
  /** False for an idempotent retry or an empty batch: nothing to tell subscribers. */
  wrote: boolean;
}

const DEFAULT_PAGE_SIZE = 2_000;

/**
 * The embedded event store: one SQLite file in WAL mode, fsynced on every commit.
 * better-sqlite3 is synchronous, so each append runs start to finish in one transaction with no
 * interleaving in this process: this process is the single writer, and it tells its own
 * subscriptions about each commit.
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly db: SqliteDatabase;
  private readonly sql: Statements;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly appendInTransaction: (stream: string, events: NewEvent[], expected: ExpectedRevision) => AppendOutcome;
  private closed = false;
  private readonly readOnly: boolean;

  /** `path` is a file (its folder is created if missing) or ":memory:". */
  constructor(path: string, options: SqliteEventStoreOptions = {}) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!(Number.isSafeInteger(this.pageSize) && this.pageSize > 0)) throw new RangeError(`pageSize must be a positive integer`);
    this.readOnly = options.readOnly ?? false;
    this.db = this.readOnly ? openSqliteReadOnly(path) : openDatabase(path);
    this.sql = prepareStatements(this.db);
    // IMMEDIATE takes the write lock before reading the tail, so another process cannot slip in between.
    const transaction = this.db.transaction(this.appendUnchecked.bind(this));
    this.appendInTransaction = (stream, events, expected) => transaction.immediate(stream, events, expected);
  }

  async append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    this.assertOpen();
    this.assertWritable();
    assertExpectedRevision(expectedRevision);
    assertDistinctEventIds(events);
    let outcome: AppendOutcome;
    try {
      outcome = this.appendInTransaction(stream, events, expectedRevision);
    } catch (error) {
      // The tail check passed, yet an id is taken: a retry after the stream moved on, or a conflict.
      if (!isDuplicateEventId(error)) throw storeError(error);
      const retry = matchRetry(stream, events, this.lookupEventId);
      if (retry === undefined) throw storeError(error);
      return retry;
    }
    if (outcome.wrote) for (const subscription of this.subscriptions) subscription.wake();
    return outcome.result;
  }

  /**
   * Import: writes events sealed by another ledger verbatim (ids, metadata, chain fields and
   * global positions as given), all in one transaction, into an empty store only. Each event must
   * follow its stream's previous one (next revision, prevHash = that event's hash), carry a hash
   * that matches its content, and come after the previous position; otherwise, or if `events`
   * throws, nothing is written. Synchronous, so the whole import is one SQLite transaction.
   */
  importEvents(events: Iterable<StoredEvent>): { imported: number; lastPosition: number } {
    this.assertOpen();
    this.assertWritable();
    const outcome = this.db.transaction(() => {
      if ((this.sql.head.get() ?? -1) !== -1) throw new Error('import needs an empty store: this one already holds events');
      let lastPosition = -1;
      let imported = 0;
      for (const e of events) {
        const where = `event ${e.metadata.eventId} (${e.stream} revision ${e.revision})`;
        if (!Number.isSafeInteger(e.position) || e.position <= lastPosition) throw new Error(`${where}: position ${e.position} does not follow ${lastPosition}`);
        const tail = this.sql.tail.get(e.stream);
        if (e.revision !== (tail?.revision ?? -1) + 1) throw new Error(`${where}: revision does not follow ${tail?.revision ?? -1}`);
        if (e.metadata.prevHash !== (tail?.hash ?? ZERO_HASH)) throw new Error(`${where}: prevHash does not link to the previous event`);
        // Sealed again onto the same link: the hash must come out as given, and the texts are
        // then exactly what an append of this event would have written.
        const { hash, prevHash, ...input } = e.metadata;
        const [sealed] = sealEventsJson(e.stream, e.revision, prevHash, [{ type: e.type, data: e.data, metadata: input }]);
        if (sealed!.metadata.hash !== hash) throw new Error(`${where}: hash does not match the event's content`);
        this.sql.insert.run({
          position: e.position,
          stream: e.stream,
          revision: e.revision,
          type: e.type,
          event_id: e.metadata.eventId,
          recorded_at: e.metadata.recordedAt,
          data: sealed!.dataJson,
          metadata: sealed!.metadataJson,
          hash,
          prev_hash: prevHash,
        });
        lastPosition = e.position;
        imported += 1;
      }
      return { imported, lastPosition };
    }).immediate();
    if (outcome.imported > 0) for (const subscription of this.subscriptions) subscription.wake();
    return outcome;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const { direction = 'forwards', fromRevision, maxCount } = options;
    if (fromRevision !== undefined) assertCount('fromRevision', fromRevision);
    if (maxCount !== undefined) assertCount('maxCount', maxCount);
    const limit = maxCount ?? -1;
    const rows =
      direction === 'forwards'
        ? this.sql.forwards.all(stream, fromRevision ?? 0, limit)
        : this.sql.backwards.all(stream, fromRevision ?? Number.MAX_SAFE_INTEGER, limit);
    return rows.map(toStoredEvent);
  }

  /** A stream as the rows hold it: data and metadata as the JSON texts written, for verification. */
  async readStreamJson(stream: string): Promise<StoredEventJson[]> {
    this.assertOpen();
    return this.sql.streamJson.all(stream).map(tupleToStoredEventJson);
  }

  async streamRevision(stream: string): Promise<number> {
    this.assertOpen();
    return this.sql.streamRevision.get(stream) ?? -1;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    for await (const page of this.readAllPages(options)) yield* page;
  }

  async *readAllPages(options: ReadAllOptions = {}): AsyncIterable<Iterable<StoredEvent>> {
    // Rows are parsed one at a time as they are consumed: a page of parsed events held at once
    // would survive young-generation collections and be copied by each (several times the
    // parse's own cost when a consumer keeps what it reads, as a rebuild does).
    for (const page of this.pages(options, this.readPage, (row) => row[0])) yield parsedRows(page);
  }

  /** `$all` as the rows hold it: data and metadata as the JSON texts written, for verification. */
  async *readAllJson(options: ReadAllOptions = {}): AsyncIterable<StoredEventJson> {
    for (const page of this.pages(options, this.readJsonPage, (event) => event.position)) for (const event of page) yield event;
  }

  async *readAllJsonPages(options: ReadAllOptions = {}): AsyncIterable<StoredEventJson[]> {
    yield* this.pages(options, this.readJsonPage, (event) => event.position);
  }

  positionRanges(): PositionRanges | undefined {
    this.assertOpen();
    if (isInMemory(this.db.name)) return undefined;
    const { sql } = this;
    return {
      file: resolve(this.db.name),
      head: () => {
        this.assertOpen();
        return sql.head.get() ?? -1;
      },
      firstAtOrAfter: (from) => {
        this.assertOpen();
        return sql.firstAtOrAfter.get(from) ?? undefined;
      },
      readRange: (first, last) => {
        this.assertOpen();
        return sql.range.all(first, last).map(tupleToStoredEventJson);
      },
    };
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.sql.head.get() ?? -1;
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = new CatchUpSubscription(this.readPage, this.pageSize, handler, options, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      this.sql.ping.get();
    } catch (error) {
      throw new StoreUnavailableError('sqlite store does not answer', { cause: error });
    }
  }

  /** Stops subscriptions (waiting for handlers in flight), then closes the database. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.db.close();
  }

  private appendUnchecked(stream: string, events: NewEvent[], expected: ExpectedRevision): AppendOutcome {
    const tail = this.sql.tail.get(stream);
    const actual = tail?.revision ?? -1;
    if (!satisfiesExpectedRevision(expected, actual)) {
      // EventStoreDB semantics: a retry of a stored batch succeeds whatever the expectation says.
      const retry = matchRetry(stream, events, this.lookupEventId);
      if (retry) return { result: retry, wrote: false };
      throw new ConcurrencyError(stream, expected, actual);
    }
    if (events.length === 0) {
      return { result: { nextExpectedRevision: actual, position: tail?.position ?? -1, events: [] }, wrote: false };
    }
    const firstPosition = (this.sql.head.get() ?? -1) + 1;
    // The texts written are the ones the chain hash was computed from (RFC 8785), so verification
    // can hash the stored bytes as they are.
    const sealed = sealEventsJson(stream, actual + 1, tail?.hash ?? ZERO_HASH, events);
    const stored = sealed.map((e, i): StoredEvent => {
      const position = firstPosition + i;
      this.sql.insert.run({
        position,
        stream,
        revision: e.revision,
        type: e.type,
        event_id: e.metadata.eventId,
        recorded_at: e.metadata.recordedAt,
        data: e.dataJson,
        metadata: e.metadataJson,
        hash: e.metadata.hash,
        prev_hash: e.metadata.prevHash,
      });
      return { stream, revision: e.revision, position, type: e.type, data: e.data, metadata: e.metadata };
    });
    const last = stored[stored.length - 1]!;
    return { result: { nextExpectedRevision: last.revision, position: last.position, events: stored }, wrote: true };
  }

  private readonly lookupEventId = (eventId: string): EventRow | undefined => this.sql.byEventId.get(eventId);

  /** Rows, unparsed: see readAll. */
  private readonly readPage = (after: number, limit: number): EventTuple[] => this.sql.after.all(after, limit);

  private readonly readJsonPage = (after: number, limit: number): StoredEventJson[] => this.sql.afterJson.all(after, limit).map(tupleToStoredEventJson);

  /** Pages of `$all` in position order, each read when the previous one has been consumed. */
  private *pages<T>(options: ReadAllOptions, readPage: (after: number, limit: number) => T[], positionOf: (row: T) => number): Generator<T[]> {
    const { after = -1, maxCount = Number.POSITIVE_INFINITY } = options;
    if (options.maxCount !== undefined) assertCount('maxCount', maxCount);
    let position = after;
    let remaining = maxCount;
    while (remaining > 0) {
      // The consumer may await between events, and the store may close meanwhile.
      this.assertOpen();
      const limit = Math.min(this.pageSize, remaining);
      const page = readPage(position, limit);
      yield page;
      if (page.length < limit) return;
      position = positionOf(page[page.length - 1]!);
      remaining -= page.length;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('sqlite store is closed');
  }

  private assertWritable(): void {
    if (this.readOnly) throw new StoreUnavailableError('sqlite store is open read-only');
  }
}

/** Parses each row as it is taken, for the reason readAllPages gives. */
function* parsedRows(page: EventTuple[]): Generator<StoredEvent> {
  for (const row of page) yield tupleToStoredEvent(row);
}

function assertCount(name: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

function isDuplicateEventId(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes('events.event_id')
  );
}

/** Codes that mean the disk or file is in trouble, not that the request was wrong. */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL)/;

function storeError(error: unknown): unknown {
  if (error instanceof Database.SqliteError && UNAVAILABLE.test(error.code)) {
    return new StoreUnavailableError(`sqlite: ${error.message}`, { cause: error });
  }
  return error;
}
