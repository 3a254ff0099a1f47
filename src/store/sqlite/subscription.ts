import type { EventHandler, SubscribeOptions, Subscription } from '../port.js';
import { tupleToStoredEvent, type EventTuple } from './rows.js';

/** Reads up to `limit` rows strictly after `after`, in position order; each is parsed only when delivered. */
export type PageReader = (after: number, limit: number) => EventTuple[];

/**
 * Follows $all by always reading from the table, never from an in-memory feed: the last
 * delivered position is the only state, so appends racing catch-up cannot cause gaps or
 * repeats, and a slow handler costs memory for one page, not for a growing queue.
 * Appends in this process call wake(); appends by other processes are not seen live.
 */
export class CatchUpSubscription implements Subscription {
  private position: number;
  private caughtUp = false;
  private closed = false;
  /** Set by wake() when the pump is busy, so it reads again before going to sleep. */
  private woken = false;
  private resume: (() => void) | undefined;
  private readonly stopped: Promise<void>;

  constructor(
    private readonly readPage: PageReader,
    private readonly pageSize: number,
    private readonly handler: EventHandler,
    private readonly options: SubscribeOptions,
    private readonly onStop: (subscription: CatchUpSubscription) => void,
  ) {
    this.position = options.after ?? -1;
    // Start on a later tick so the caller holds the subscription before the first delivery.
    this.stopped = Promise.resolve().then(() => this.pump());
  }

  /** New events were committed. */
  wake(): void {
    this.woken = true;
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  }

  /** Resolves once the handler is not running and will not be called again; do not await it from inside the handler. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.stopped;
  }

  private async pump(): Promise<void> {
    try {
      while (!this.closed) {
        this.woken = false;
        const page = this.readPage(this.position, this.pageSize);
        for (const row of page) {
          if (this.closed) return;
          const pending = this.handler(tupleToStoredEvent(row));
          if (pending !== undefined) await pending;
          this.position = row[0];
        }
        // A full page may have more behind it; a wake during delivery means new commits.
        if (page.length === this.pageSize || this.woken || this.closed) continue;
        if (!this.caughtUp) {
          this.caughtUp = true;
          this.options.onCaughtUp?.();
          if (this.woken) continue;
        }
        await new Promise<void>((resolve) => (this.resume = resolve));
      }
    } catch (caught) {
      this.fail(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      this.closed = true;
      this.onStop(this);
    }
  }

  private fail(error: Error): void {
    if (this.options.onError) {
      this.options.onError(error);
    } else if (!this.closed) {
      // Nobody listens: like an EventEmitter 'error' without a listener, fail loudly rather than
      // leave a projection silently stuck.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
