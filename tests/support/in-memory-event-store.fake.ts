import type { StoredEvent } from '../../events/index.js';
import { sealEvents } from '../../src/store/hash-chain.js';
import { ConcurrencyError } from '../../src/store/errors.js';
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
} from '../../src/store/port.js';
import { ZERO_HASH } from '../../events/index.js';

/**
 * A fake EventStore for read-side tests: everything in arrays, positions 0, 1, 2…, and a
 * subscription that reads from the array (like the SQLite one), so it cannot skip or repeat.
 * It counts reads so tests can tell a cache hit from a reload. Not a store: no durability.
 */
export class InMemoryEventStoreFake implements EventStore {
  readonly kind = 'in-memory-fake';
  readonly events: StoredEvent[] = [];
  readonly reads = { stream: 0, all: 0 };
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly subscriptions = new Set<FakeSubscription>();

  async append(stream: string, events: NewEvent[], expected: ExpectedRevision = 'any'): Promise<AppendResult> {
    const existing = this.streams.get(stream) ?? [];
    const actual = existing.length - 1;
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && actual === -1) ||
      (expected === 'stream_exists' && actual >= 0) ||
      expected === actual;
    if (!ok) throw new ConcurrencyError(stream, expected, actual);
    const sealed = sealEvents(stream, existing.length, existing.at(-1)?.metadata.hash ?? ZERO_HASH, events);
    const stored = sealed.map((e) => ({ ...e, position: this.events.length + sealed.indexOf(e) }));
    this.events.push(...stored);
    this.streams.set(stream, [...existing, ...stored]);
    for (const s of this.subscriptions) s.wake();
    return { nextExpectedRevision: actual + stored.length, position: stored.at(-1)?.position ?? -1, events: stored };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.reads.stream++;
    const events = this.streams.get(stream) ?? [];
    const forwards = options.direction !== 'backwards';
    const from = options.fromRevision ?? (forwards ? 0 : events.length - 1);
    const selected = forwards ? events.filter((e) => e.revision >= from) : events.filter((e) => e.revision <= from).reverse();
    return selected.slice(0, options.maxCount ?? selected.length);
  }

  async streamRevision(stream: string): Promise<number> {
    return (this.streams.get(stream)?.length ?? 0) - 1;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    this.reads.all++;
    const from = (options.after ?? -1) + 1;
    const to = options.maxCount === undefined ? this.events.length : from + options.maxCount;
    for (let p = from; p < Math.min(to, this.events.length); p++) yield this.events[p]!;
  }

  async headPosition(): Promise<number> {
    return this.events.length - 1;
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    const subscription = new FakeSubscription(this.events, handler, options, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
  }
}

class FakeSubscription implements Subscription {
  private next: number;
  private closed = false;
  private resume: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly log: readonly StoredEvent[],
    private readonly handler: EventHandler,
    private readonly options: SubscribeOptions,
    private readonly onStop: () => void,
  ) {
    this.next = (options.after ?? -1) + 1;
    this.done = Promise.resolve().then(() => this.pump());
  }

  wake(): void {
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.done;
  }

  private async pump(): Promise<void> {
    let caughtUp = false;
    try {
      while (!this.closed) {
        while (this.next < this.log.length && !this.closed) {
          await this.handler(this.log[this.next]!);
          this.next++;
        }
        if (this.closed) return;
        if (!caughtUp) {
          caughtUp = true;
          this.options.onCaughtUp?.();
          continue;
        }
        await new Promise<void>((resolve) => (this.resume = resolve));
      }
    } catch (error) {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.onStop();
    }
  }
}
