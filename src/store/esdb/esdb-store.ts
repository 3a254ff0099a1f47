import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  type AllStreamRecordedEvent,
  type Position,
  type RecordedEvent,
} from '@eventstore/db-client';
import type { StoredEvent } from '../../../events/index.js';
import { StoreUnavailableError } from '../errors.js';
import type {
  AppendResult,
  EventHandler,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from '../port.js';
import { appendChained } from './append.js';
import { guarded, redactConnectionString, unavailable, isDatabaseError } from './connection.js';
import { assertAppendable, assertExpectedRevision } from './expected-revision.js';
import { isSystemEvent, toClientPosition, toPortPosition, toStoredEvent } from './records.js';
import { DEFAULT_RECONNECT, EsdbSubscription, type ReconnectPolicy } from './subscription.js';

export interface EsdbStoreOptions {
  /** Events per request when paging through $all. */
  pageSize?: number;
  /** How long ping() waits for an answer. */
  pingTimeoutMs?: number;
  /** Pauses between attempts to resubscribe after a dropped connection. */
  reconnect?: Partial<ReconnectPolicy>;
}

const DEFAULT_PAGE_SIZE = 512;
const DEFAULT_PING_TIMEOUT_MS = 5_000;
const DISPOSE_TIMEOUT_MS = 5_000;

/**
 * The EventStore port on EventStoreDB (or KurrentDB) through @eventstore/db-client.
 * The client connects lazily, so constructing the store never fails for a database that is
 * down; every call then fails with a StoreUnavailableError naming the server (without
 * credentials), and ping() is the cheap way to ask.
 */
export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb';
  /** The connection string without credentials. */
  readonly target: string;
  private readonly client: EventStoreDBClient;
  private readonly pageSize: number;
  private readonly pingTimeoutMs: number;
  private readonly reconnect: ReconnectPolicy;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed = false;

  constructor(connectionString: string, options: EsdbStoreOptions = {}) {
    this.target = redactConnectionString(connectionString);
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!(Number.isSafeInteger(this.pageSize) && this.pageSize >= 2)) throw new RangeError('pageSize must be an integer of at least 2');
    this.pingTimeoutMs = options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
    this.reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
    try {
      this.client = EventStoreDBClient.connectionString(connectionString);
    } catch (error) {
      // The parser quotes the whole string, credentials included.
      const detail = error instanceof Error ? error.message.split(connectionString).join(this.target) : String(error);
      throw new StoreUnavailableError(`invalid EventStoreDB connection string ${this.target}: ${detail}`);
    }
  }

  async append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    this.assertOpen();
    assertExpectedRevision(expectedRevision);
    assertAppendable(events);
    return guarded(this.target, `appending to ${stream}`, () => appendChained(this.client, this.read, stream, events, expectedRevision));
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    if (options.fromRevision !== undefined) assertCount('fromRevision', options.fromRevision);
    if (options.maxCount !== undefined) assertCount('maxCount', options.maxCount);
    return guarded(this.target, `reading ${stream}`, () => this.read(stream, options));
  }

  async streamRevision(stream: string): Promise<number> {
    const [last] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
    return last?.revision ?? -1;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    const { after, maxCount = Number.POSITIVE_INFINITY } = options;
    if (options.maxCount !== undefined) assertCount('maxCount', maxCount);
    let remaining = maxCount;
    // Reads of $all forwards include the event at the start position; `after` excludes it.
    let seen = after ?? -1;
    let from: number | undefined = seen >= 0 ? seen : undefined;
    while (remaining > 0) {
      this.assertOpen();
      const page = await guarded(this.target, 'reading $all', () => this.readAllPage(from === undefined ? START : toClientPosition(from), 'forwards'));
      for (const recorded of page) {
        const position = toPortPosition(recorded.position, `${recorded.streamId}@${recorded.revision}`);
        if (position <= seen) continue;
        seen = position;
        if (isSystemEvent(recorded)) continue;
        yield toStoredEvent(recorded);
        if (--remaining <= 0) return;
      }
      if (page.length < this.pageSize) return;
      from = seen;
    }
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return guarded(this.target, 'reading the head of $all', async () => {
      let from: Position | typeof END = END;
      for (;;) {
        const page = await this.readAllPage(from, 'backwards');
        const last = page.find((recorded) => !isSystemEvent(recorded));
        if (last) return toPortPosition(last.position, `${last.streamId}@${last.revision}`);
        if (page.length < this.pageSize) return -1;
        // Backwards reads exclude the start position, so the next page begins below this one.
        from = page[page.length - 1]!.position;
      }
    });
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = new EsdbSubscription(
      {
        client: this.client,
        headPosition: () => this.headPosition(),
        reconnect: this.reconnect,
        onStop: (s) => this.subscriptions.delete(s),
      },
      handler,
      options,
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** One event read from the end of $all, bounded in time: a dead or unreachable server answers with StoreUnavailableError. */
  async ping(): Promise<void> {
    this.assertOpen();
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
    const timer = setTimeout(() => {
      read.destroy(new StoreUnavailableError(`EventStoreDB at ${this.target} did not answer within ${this.pingTimeoutMs} ms`));
      void read.cancel().catch(() => undefined);
    }, this.pingTimeoutMs);
    try {
      for await (const _ of read) void _;
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      if (isDatabaseError(error)) throw unavailable(this.target, 'pinging', error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops subscriptions (waiting for handlers in flight), then closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    // dispose() waits for every gRPC call to finish; bound it so a call the client lost track of
    // cannot hang shutdown.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.client.dispose(), new Promise<void>((resolve) => (timer = setTimeout(resolve, DISPOSE_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }

  /** readStream without the checks: [] for a stream that does not exist. */
  private readonly read = async (stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> => {
    const { direction = 'forwards', fromRevision, maxCount } = options;
    if (maxCount === 0) return [];
    // Drain the read before converting: leaving the client's stream half-read leaves its gRPC call
    // open, and dispose() would then wait for it forever.
    const recorded: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(stream, {
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        fromRevision: fromRevision !== undefined ? BigInt(fromRevision) : direction === 'forwards' ? START : END,
        ...(maxCount !== undefined ? { maxCount } : {}),
      });
      for await (const resolved of read) if (resolved.event) recorded.push(resolved.event);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return recorded.map(toStoredEvent);
  };

  private async readAllPage(from: Position | typeof START | typeof END, direction: 'forwards' | 'backwards'): Promise<AllStreamRecordedEvent[]> {
    const page: AllStreamRecordedEvent[] = [];
    const read = this.client.readAll({ fromPosition: from, direction: direction === 'forwards' ? FORWARDS : BACKWARDS, maxCount: this.pageSize });
    for await (const resolved of read) if (resolved.event) page.push(resolved.event);
    return page;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError(`EventStoreDB store for ${this.target} is closed`);
  }
}

/** The store for LEDGER_STORE=esdb, from ESDB_CONNECTION_STRING (esdb://… or esdb+discover://…). */
export function openEsdbStore(connectionString: string, options?: EsdbStoreOptions): EsdbEventStore {
  return new EsdbEventStore(connectionString, options);
}

function assertCount(name: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}
