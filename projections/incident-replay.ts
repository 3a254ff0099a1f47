import type { IncidentEvent, Recorded } from '../events/index.js';
import type { FoldInput } from './apply-incident-event.js';
import { recordedAtMs } from './fold.js';
import { ModelDraft, initialIncidentModel, type IncidentModel } from './incident-model.js';

export type OfferResult = 'applied' | 'duplicate' | 'gap';

/** Events between snapshots: an "as of" model folds at most this many less one. */
const DEFAULT_SNAPSHOT_EVERY = 256;

/**
 * One incident stream held in memory, able to give its model at any revision without refolding
 * from zero. Events are folded once, forwards, and the model is frozen every `snapshotEvery`
 * events; the model "as of" revision r is the last snapshot at or before r with the few events
 * after it folded on top, so it equals `fold(upTo(events, asOf))`. Snapshots are persistent maps
 * sharing every record they have in common, so a snapshot costs the records its events changed,
 * not a copy of the model; and records shared between models share their memoised analyses.
 */
export class IncidentReplay {
  // What a fold reads of each event, by revision, in columns: ids, hashes and the rest would
  // double the memory held, and an object per event would add to it.
  private readonly types: Array<IncidentEvent['type']> = [];
  private readonly data: Array<IncidentEvent['data']> = [];
  private readonly recordedAt: string[] = [];
  private readonly actors: string[] = [];
  private readonly times: number[] = [];
  private readonly draft = new ModelDraft();
  private latest: IncidentModel = initialIncidentModel;
  /** snapshots[i] is the model after revision (i + 1) × snapshotEvery − 1. */
  private readonly snapshots: IncidentModel[] = [];
  /** While recordedAt never decreases, "up to asOf" is a binary search. */
  private monotonic = true;

  constructor(private readonly snapshotEvery = DEFAULT_SNAPSHOT_EVERY) {
    if (!(Number.isSafeInteger(snapshotEvery) && snapshotEvery > 0)) throw new RangeError('snapshotEvery must be a positive integer');
  }

  /** Revision of the last event held; -1 when empty. */
  get revision(): number {
    return this.times.length - 1;
  }

  /** Folds in the next event of the stream. Idempotent by revision; an event past the next one is a gap and is refused. */
  offer(event: Recorded<IncidentEvent>): OfferResult {
    if (event.revision <= this.revision) return 'duplicate';
    if (event.revision !== this.revision + 1) return 'gap';
    const at = recordedAtMs(event);
    if (this.times.length > 0 && at < this.times[this.times.length - 1]!) this.monotonic = false;
    this.draft.apply(event);
    this.types.push(event.type);
    this.data.push(event.data);
    this.recordedAt.push(event.metadata.recordedAt);
    this.actors.push(event.metadata.actor);
    this.times.push(at);
    if (this.times.length % this.snapshotEvery === 0) this.snapshots.push(this.freezeLatest());
    return 'applied';
  }

  /**
   * The revision "as of" an instant: the last event before the first one recorded after it,
   * exactly as `upTo` stops a fold. -1 when nothing had been recorded yet. No instant: the latest.
   */
  revisionAt(asOf?: Date): number {
    if (asOf === undefined) return this.revision;
    const limit = asOf.getTime();
    if (!this.monotonic) {
      const first = this.times.findIndex((t) => t > limit);
      return first === -1 ? this.revision : first - 1;
    }
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! <= limit) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The model after the event at `revision` (default: the latest). */
  modelAt(revision: number = this.revision): IncidentModel {
    if (revision >= this.revision) return this.freezeLatest();
    if (revision < 0) return initialIncidentModel;
    const taken = Math.floor((revision + 1) / this.snapshotEvery);
    const base = taken === 0 ? initialIncidentModel : this.snapshots[taken - 1]!;
    if (base.revision === revision) return base;
    const draft = ModelDraft.over(base);
    for (let r = base.revision + 1; r <= revision; r++) draft.apply(this.eventAt(r));
    return draft.freeze();
  }

  /** The event at `revision` as far as a fold reads it. */
  private eventAt(revision: number): FoldInput {
    const metadata = { recordedAt: this.recordedAt[revision]!, actor: this.actors[revision]! };
    // The type and data columns were filled from one event, so they pair up as the union wants.
    return { type: this.types[revision]!, data: this.data[revision]!, revision, metadata } as FoldInput;
  }

  private freezeLatest(): IncidentModel {
    if (this.latest.revision !== this.revision) this.latest = this.draft.freeze();
    return this.latest;
  }
}
