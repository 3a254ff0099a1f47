import { z } from 'zod';
import { GLOBAL_MODELS_VERSION, GlobalReadModels } from './global-models.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { parseStream, upcast, type Recorded, type StoredEvent } from '../events/index.js';
import type { EventStore, Subscription } from '../src/store/port.js';

export interface ProjectionRunnerOptions {
  checkpoints: CheckpointStore;
  /** The checkpoint's name; carries the state version so a changed fold never resumes an old state. */
  name?: string;
  /** Save a checkpoint after this many applied events… */
  saveEveryEvents?: number;
  /** …or once this long has passed since the last save, whichever comes first (and on close). */
  saveEveryMs?: number;
  /** Failures that do not stop the runner (a listener throwing, a checkpoint save failing) and the one that does. */
  onError?: (error: Error) => void;
}

/** Called once per applied event, in global order, after the global models include it. */
export type AppliedListener = (event: Recorded, stored: StoredEvent) => void;

/** What the runner checkpoints: the global models, and the id of the last event they include. */
const RunnerState = z.object({ lastEventId: z.string().min(1), models: z.unknown() });
type RunnerState = z.infer<typeof RunnerState>;

interface Waiter {
  position: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * Keeps the global read models (incident list, source directory) current from `$all`. It resumes
 * after its last checkpoint, so a restart applies only what is new, then follows appends live.
 */
export class ProjectionRunner {
  readonly name: string;
  private current = new GlobalReadModels();
  private appliedPosition = -1;
  private savedPosition = -1;
  private restoredFrom = -1;
  private lastEventId = '';
  private applied = 0;
  private sinceSave = 0;
  private lastSave = Date.now();
  private saving: Promise<void> = Promise.resolve();
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private caughtUp = false;
  private failure: Error | undefined;
  private readonly listeners = new Set<AppliedListener>();
  private waiters: Waiter[] = [];
  private readonly saveEveryEvents: number;
  private readonly saveEveryMs: number;

  constructor(
    private readonly store: EventStore,
    private readonly options: ProjectionRunnerOptions,
  ) {
    this.name = options.name ?? `global-read-models@${GLOBAL_MODELS_VERSION}`;
    this.saveEveryEvents = options.saveEveryEvents ?? 1_000;
    this.saveEveryMs = options.saveEveryMs ?? 5_000;
  }

  /** The global models as of `position`. Read them synchronously: they change as events arrive. */
  get models(): GlobalReadModels {
    return this.current;
  }

  /** Global position of the last event applied; -1 before any. */
  get position(): number {
    return this.appliedPosition;
  }

  /** Events this runner applied since it started (not those restored from the checkpoint). */
  get appliedCount(): number {
    return this.applied;
  }

  /** The checkpoint position it resumed after; -1 when it folded from zero. */
  get resumedFrom(): number {
    return this.restoredFrom;
  }

  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  /** Restores the checkpoint and subscribes; resolves once caught up with the head, rejects if the subscription fails first. */
  async start(): Promise<void> {
    if (this.subscription) throw new Error(`projection runner ${this.name} already started`);
    const checkpoint = await this.options.checkpoints.load(this.name);
    const saved = checkpoint && RunnerState.safeParse(checkpoint.state);
    if (checkpoint && saved?.success) {
      const restored = GlobalReadModels.fromState(saved.data.models);
      // The checkpoint names the last event it applied: if the store holds another event there
      // (or none), the checkpoint belongs to a wiped or replaced store, and we refold from zero.
      if (restored && (await this.eventIdAt(checkpoint.position)) === saved.data.lastEventId) {
        this.current = restored;
        this.appliedPosition = this.savedPosition = this.restoredFrom = checkpoint.position;
        this.lastEventId = saved.data.lastEventId;
      }
    }
    this.timer = setInterval(() => void this.saveIfDirty(), this.saveEveryMs);
    this.timer.unref();
    await new Promise<void>((resolve, reject) => {
      this.subscription = this.store.subscribeToAll(this.handle, {
        ...(this.appliedPosition >= 0 ? { after: this.appliedPosition } : {}),
        onCaughtUp: () => {
          this.caughtUp = true;
          void this.saveIfDirty();
          resolve();
        },
        onError: (error) => {
          this.fail(error);
          reject(error);
        },
      });
    });
  }

  /** How far behind the store's head the models are, in global position units (events, for SQLite). */
  async lag(): Promise<number> {
    const head = await this.store.headPosition();
    return Math.max(0, head - this.appliedPosition);
  }

  /** Resolves once the event at `position` has been applied, so a writer can read its own write. */
  waitFor(position: number, timeoutMs = 10_000): Promise<void> {
    if (this.appliedPosition >= position) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`projection ${this.name} did not reach position ${position} within ${timeoutMs} ms (at ${this.appliedPosition})`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  onApplied(listener: AppliedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Saves a checkpoint now if anything was applied since the last one. */
  saveIfDirty(): Promise<void> {
    if (this.appliedPosition === this.savedPosition) return this.saving;
    const position = this.appliedPosition;
    // Serialised now, so the saved state is exactly the state at `position`.
    const state: RunnerState = { lastEventId: this.lastEventId, models: this.current.toState() };
    this.sinceSave = 0;
    this.lastSave = Date.now();
    this.saving = this.saving
      .then(() => this.options.checkpoints.save(this.name, { position, state }))
      .then(
        () => void (this.savedPosition = Math.max(this.savedPosition, position)),
        (error: unknown) => this.report(asError(error)),
      );
    return this.saving;
  }

  /** Stops following, saves a final checkpoint, and fails any pending waitFor. Not from inside a listener. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.subscription?.close();
    await this.saveIfDirty();
    this.rejectWaiters(new Error(`projection ${this.name} closed`));
  }

  private async eventIdAt(position: number): Promise<string | undefined> {
    // `after` is exclusive and positions need not be dense (EventStoreDB), hence position − 1.
    for await (const event of this.store.readAll({ after: position - 1, maxCount: 1 })) {
      return event.position === position ? event.metadata.eventId : undefined;
    }
    return undefined;
  }

  private readonly handle = async (stored: StoredEvent): Promise<void> => {
    if (stored.position <= this.appliedPosition) return;
    this.lastEventId = stored.metadata.eventId;
    // Streams that are not the ledger's (a store's system streams) carry nothing to project.
    if (parseStream(stored.stream)) {
      const event = upcast(stored);
      this.current.apply(event);
      this.appliedPosition = stored.position;
      for (const listener of this.listeners) {
        try {
          listener(event, stored);
        } catch (error) {
          this.report(asError(error));
        }
      }
    } else {
      this.appliedPosition = stored.position;
    }
    this.applied++;
    this.sinceSave++;
    this.settleWaiters();
    // Each save writes the whole state: counting events while catching up would make a long
    // replay quadratic, so until caught up only the clock triggers a save.
    const dueByCount = this.caughtUp && this.sinceSave >= this.saveEveryEvents;
    if (dueByCount || Date.now() - this.lastSave >= this.saveEveryMs) await this.saveIfDirty();
  };

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const [done, pending] = [this.waiters.filter((w) => w.position <= this.appliedPosition), this.waiters.filter((w) => w.position > this.appliedPosition)];
    this.waiters = pending;
    for (const w of done) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  private fail(error: Error): void {
    this.failure = error;
    this.report(error);
    this.rejectWaiters(error);
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(error);
    }
  }

  private report(error: Error): void {
    this.options.onError?.(error);
  }
}
