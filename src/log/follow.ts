import type { StoredEvent } from '../../events/index.js';
import type { EventStore, Subscription } from '../store/port.js';

export interface FollowOptions {
  /** Most events absorbed per transaction (default 1000). */
  batchSize?: number;
  /** Called once the log has absorbed everything up to the store's head at subscription time. */
  onCaughtUp?: () => void;
  /** Called when absorbing or the subscription fails; following stops. */
  onError?: (error: Error) => void;
}

export interface LogFollower {
  /** Absorbs whatever is buffered now. */
  flush(): void;
  /** Absorbs what is buffered, then ends the subscription. */
  close(): Promise<void>;
}

/** What following needs from the log; kept narrow so the log and this file do not import each other. */
export interface Absorber {
  append(events: readonly StoredEvent[]): unknown;
  lastPosition(): number;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * Subscribes from the log's last absorbed position and appends what arrives. One transaction
 * per event would make catch-up over a large store crawl, so events are buffered and written
 * when the batch fills or the event loop next turns (setImmediate), whichever comes first.
 */
export function follow(log: Absorber, store: EventStore, options: FollowOptions = {}): LogFollower {
  const batchSize = options.batchSize ?? 1000;
  let pending: StoredEvent[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let stopped = false;
  let subscription: Subscription | undefined;
  let closing: Promise<void> | undefined;
  const closeSubscription = (): Promise<void> => (closing ??= subscription?.close() ?? Promise.resolve());

  const stop = (error?: Error): void => {
    if (stopped) return;
    stopped = true;
    pending = [];
    if (scheduled) clearImmediate(scheduled);
    if (subscription) void closeSubscription();
    if (error) options.onError?.(error);
  };

  const flush = (): void => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (stopped || pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      log.append(batch);
    } catch (e) {
      // Appending past a refused batch would build a tree over a gap: stop and say why.
      stop(asError(e));
    }
  };

  const after = log.lastPosition();
  subscription = store.subscribeToAll(
    (event) => {
      if (stopped) return;
      pending.push(event);
      if (pending.length >= batchSize) flush();
      else scheduled ??= setImmediate(flush);
    },
    {
      ...(after >= 0 ? { after } : {}),
      onCaughtUp: () => {
        flush();
        if (!stopped) options.onCaughtUp?.();
      },
      onError: (error) => {
        flush();
        stop(error);
      },
    },
  );
  // The handler may already have failed synchronously, before `subscription` was assigned.
  if (stopped) void closeSubscription();

  return {
    flush,
    close: async () => {
      flush();
      stop();
      await closeSubscription();
    },
  };
}
