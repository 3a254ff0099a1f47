import type { GlobalReadModels } from './global-models.js';

/** Events between snapshots at the least. */
export const SNAPSHOT_EVERY = 4_096;
/** And at least this many events per entry the models hold, so copying them costs at most a quarter of an entry an event. */
export const EVENTS_PER_ENTRY = 4;

interface Snapshot {
  /** The position of the last event the models include. */
  readonly position: number;
  /** The latest instant (epoch ms) an event up to `position` was recorded at. */
  readonly latest: number;
  readonly models: GlobalReadModels;
}

/**
 * The global models (incident list, source directory) kept every few thousand events as the
 * runner applies them, so a list "as of" an instant folds `$all` from the nearest snapshot rather
 * than from position 0, and an instant after every event applied is answered by the current
 * models. A snapshot serves an instant when no event up to it was recorded after the instant:
 * the fold from zero would then have got that far too (`upTo` stops at the first such event).
 */
export class GlobalSnapshots {
  private readonly kept: Snapshot[] = [];
  /** The latest instant an event applied so far was recorded at; undefined until the first. */
  private latest: number | undefined;
  private sinceLast = 0;

  constructor(
    private readonly every = SNAPSHOT_EVERY,
    private readonly eventsPerEntry = EVENTS_PER_ENTRY,
  ) {}

  /** After `models` took in the event at `position`, recorded at `recordedAt`. */
  offer(models: GlobalReadModels, position: number, recordedAt: string): void {
    // Models restored from a checkpoint hold events never offered here: their own timestamps say how late those were.
    this.latest ??= models.latestRecordedAt();
    const at = Date.parse(recordedAt);
    if (at > this.latest) this.latest = at;
    if (++this.sinceLast < Math.max(this.every, this.eventsPerEntry * models.size)) return;
    this.sinceLast = 0;
    this.kept.push({ position, latest: this.latest, models: models.copy() });
  }

  /** Whether every event applied so far was recorded at or before `asOf` (the current models are then the answer). */
  coversAll(asOf: Date): boolean {
    return this.latest !== undefined && this.latest <= asOf.getTime();
  }

  /** The latest snapshot a fold cut at `asOf` may start from, if any. */
  before(asOf: Date): Snapshot | undefined {
    const limit = asOf.getTime();
    // `latest` never decreases from one snapshot to the next: a binary search.
    let lo = 0;
    let hi = this.kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.kept[mid]!.latest <= limit) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? this.kept[lo - 1] : undefined;
  }
}
