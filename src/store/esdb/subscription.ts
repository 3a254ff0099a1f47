import { excludeSystemEvents, START, type AllStreamResolvedEvent, type AllStreamSubscription, type EventStoreDBClient } from '@eventstore/db-client';
import type { EventHandler, SubscribeOptions, Subscription } from '../port.js';
import { isTransient } from './connection.js';
import { isSystemEvent, toClientPosition, toPortPosition, toStoredEvent } from './records.js';

export interface ReconnectPolicy {
  /** First pause after a dropped subscription; doubles per failure up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 100, maxDelayMs: 5_000 };

export interface SubscriptionDeps {
  client: EventStoreDBClient;
  /** The port's headPosition, for servers that never send "caught up" (before 23.10). */
  headPosition: () => Promise<number>;
  reconnect: ReconnectPolicy;
  onStop: (subscription: EsdbSubscription) => void;
}

/** Marks an error thrown by the caller's handler: it ends the subscription, never triggers a resubscribe. */
class HandlerFailure extends Error {
  constructor(readonly failure: Error) {
    super(failure.message);
  }
}

/**
 * A filtered catch-up subscription to $all that survives dropped connections. The last delivered
 * position is its only state: after a drop it subscribes again strictly after that position,
 * so nothing is lost and nothing is delivered twice. Events are pulled one at a time with
 * read(), so the handler never runs twice at once and "caught up" can be placed exactly
 * between the last catch-up event and the first live one.
 */
export class EsdbSubscription implements Subscription {
  private lastPosition: number | undefined;
  private closed = false;
  private caughtUpReported = false;
  private current: AllStreamSubscription | undefined;
  private wakeFromPause: (() => void) | undefined;
  /** Wakes the loop in follow() when it waits for the stream. */
  private wakeFollower: (() => void) | undefined;
  private callbackFailure: HandlerFailure | undefined;
  private readonly stopped: Promise<void>;

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly handler: EventHandler,
    private readonly options: SubscribeOptions,
  ) {
    this.lastPosition = options.after !== undefined && options.after >= 0 ? options.after : undefined;
    // Start on a later tick so the caller holds the subscription before the first delivery.
    this.stopped = Promise.resolve().then(() => this.run());
  }

  /** Resolves once the handler is not running and will not be called again; do not await it from inside the handler. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelCurrent();
    this.wakeFromPause?.();
    await this.stopped;
  }

  private async run(): Promise<void> {
    let failures = 0;
    try {
      while (!this.closed) {
        try {
          await this.follow(() => (failures = 0));
          // The server ended the call cleanly; it will send nothing more on it, so subscribe again.
        } catch (error) {
          if (this.closed) return;
          if (error instanceof HandlerFailure) return this.fail(error.failure);
          if (!isTransient(error)) return this.fail(error instanceof Error ? error : new Error(String(error)));
        }
        if (this.closed) return;
        await this.pause(this.delay(failures++));
      }
    } finally {
      this.closed = true;
      this.cancelCurrent();
      this.deps.onStop(this);
    }
  }

  /** One server subscription, from the last delivered position until it fails or ends. */
  private async follow(onConfirmed: () => void): Promise<void> {
    // Fallback for servers without the caught-up message: the head as it stands now.
    const head = this.caughtUpReported ? undefined : await this.deps.headPosition();
    if (this.closed) return;
    if (head !== undefined && (this.lastPosition ?? -1) >= head) this.reportCaughtUp();
    if (this.callbackFailure) throw this.callbackFailure;

    const subscription = this.deps.client.subscribeToAll({
      fromPosition: this.lastPosition === undefined ? START : toClientPosition(this.lastPosition),
      filter: excludeSystemEvents(),
    });
    this.current = subscription;

    let failure: unknown;
    let ended = false;
    let wake: (() => void) | undefined;
    const signal = (): void => {
      const resume = wake;
      wake = undefined;
      resume?.();
    };
    this.wakeFollower = signal;
    // Chunks taken off the stream, chunks fully handled, and the handled count at which
    // everything the server sent before "caught up" has been handled.
    let taken = 0;
    let handled = 0;
    let caughtUpAt: number | undefined;

    subscription.on('error', (error) => {
      failure ??= error;
      signal();
    });
    subscription.on('end', () => ((ended = true), signal()));
    subscription.on('close', () => ((ended = true), signal()));
    subscription.on('readable', signal);
    subscription.on('confirmation', onConfirmed);
    subscription.on('caughtUp', () => {
      // Emitted while the message is transformed: every earlier event is taken or still buffered.
      caughtUpAt ??= taken + subscription.readableLength;
      if (handled >= caughtUpAt) this.reportCaughtUp();
    });

    try {
      for (;;) {
        if (this.closed) return;
        if (this.callbackFailure) throw this.callbackFailure;
        if (failure !== undefined) throw failure;
        const resolved = subscription.read() as AllStreamResolvedEvent | null;
        if (resolved === null) {
          if (ended) return;
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        taken++;
        const position = await this.deliver(resolved);
        handled++;
        if (caughtUpAt !== undefined && handled >= caughtUpAt) this.reportCaughtUp();
        if (head !== undefined && position !== undefined && position >= head) this.reportCaughtUp();
      }
    } finally {
      if (this.current === subscription) this.cancelCurrent();
    }
  }

  /** Hands one event to the handler unless it was delivered already or is the database's own. Returns its position. */
  private async deliver(resolved: AllStreamResolvedEvent): Promise<number | undefined> {
    const recorded = resolved.event;
    if (!recorded || this.closed) return undefined;
    const position = toPortPosition(recorded.position, `${recorded.streamId}@${recorded.revision}`);
    if (this.lastPosition !== undefined && position <= this.lastPosition) return position;
    if (!isSystemEvent(recorded)) {
      const event = toStoredEvent(recorded);
      try {
        await this.handler(event);
      } catch (error) {
        throw new HandlerFailure(error instanceof Error ? error : new Error(String(error)));
      }
    }
    this.lastPosition = position;
    return position;
  }

  private reportCaughtUp(): void {
    if (this.caughtUpReported || this.closed) return;
    this.caughtUpReported = true;
    try {
      this.options.onCaughtUp?.();
    } catch (error) {
      // It may run inside the client's stream machinery; a throw there must end us like a handler's would.
      this.callbackFailure = new HandlerFailure(error instanceof Error ? error : new Error(String(error)));
      this.wakeFollower?.();
    }
  }

  private cancelCurrent(): void {
    const subscription = this.current;
    this.current = undefined;
    if (!subscription) return;
    // unsubscribe() cancels the gRPC call; destroy() ends our side even if the call is already dead.
    subscription.unsubscribe().catch(() => undefined);
    subscription.destroy();
  }

  private delay(failures: number): number {
    const { initialDelayMs, maxDelayMs } = this.deps.reconnect;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(failures, 20));
    return base * (0.8 + 0.4 * Math.random());
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeFromPause = done;
    }).finally(() => (this.wakeFromPause = undefined));
  }

  private fail(error: Error): void {
    if (this.options.onError) {
      this.options.onError(error);
    } else {
      // Nobody listens: fail loudly, like an EventEmitter 'error' without a listener, rather
      // than leave a projection silently stuck.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
