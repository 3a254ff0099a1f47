import type { IncidentEvent, Recorded } from '../events/index.js';
import type { FoldInput } from './apply-incident-event.js';
import { recordedAtMs } from './fold.js';
import { ModelDraft, initialIncidentModel, type IncidentModel } from './incident-model.js';

/** The one form Date#toISOString writes for years 0000–9999: such strings sort as their instants do. */
const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export type OfferResult = 'applied' | 'duplicate' | 'gap';

/**
 * Events between snapshots: an "as of" model folds at most this many less one. 32 rather than 64
 * halves what each "as of" read allocates (and so how often a collection lands on one) for about
 * a quarter more memory in an indexed incident's snapshots.
 */
export const DEFAULT_SNAPSHOT_EVERY = 32;

/**
 * One incident stream held in memory, able to give its model at any revision without refolding
 * from zero. Events are folded once, forwards, into the latest model, and dropped: most incidents
 * are only ever read as they are now, and the events themselves would be most of the memory held.
 * Reads of earlier revisions need the stream indexed first: `index(events)` takes the stream's
 * events back (the caller reads them again from its store), folds them again from zero, freezing
 * the model every `snapshotEvery` events, and from then on the replay keeps each event it is
 * offered and each snapshot. The model "as of" revision r is the last snapshot at or before r
 * with the few events after it folded on top, so it equals `fold(upTo(events, asOf))`. Snapshots
 * are persistent maps sharing every record they have in common (with each other and with the
 * latest model), so a snapshot costs the records its events changed, not a copy of the model; and
 * records shared between models share their memoised analyses.
 */
export class IncidentReplay {
  /** When each event was recorded, by revision: "as of" an instant is a search in it. */
  private readonly recordedAt: string[] = [];
  /**
   * recordedAt in epoch ms, needed only once some recordedAt is not in the one form
   * Date#toISOString writes ("2021-03-10T06:00:00.000Z"): strings of that form order as the
   * instants do, so until then they are compared as they are, with no parsing per event.
   */
  private times: number[] | undefined;
  private draft = new ModelDraft();
  private latest: IncidentModel = initialIncidentModel;
  /** Once indexed: what a fold reads of each event, by revision, and the snapshots. */
  private kept: StreamIndex | undefined;
  /** While recordedAt never decreases, "up to asOf" is a binary search. */
  private monotonic = true;

  constructor(private readonly snapshotEvery = DEFAULT_SNAPSHOT_EVERY) {
    if (!(Number.isSafeInteger(snapshotEvery) && snapshotEvery > 0)) throw new RangeError('snapshotEvery must be a positive integer');
  }

  /** Revision of the last event held; -1 when empty. */
  get revision(): number {
    return this.recordedAt.length - 1;
  }

  /** Folds in the next event of the stream. Idempotent by revision; an event past the next one is a gap and is refused. */
  offer(event: Recorded<IncidentEvent>): OfferResult {
    if (event.revision <= this.revision) return 'duplicate';
    if (event.revision !== this.revision + 1) return 'gap';
    const at = event.metadata.recordedAt;
    if (this.times === undefined && !ISO_INSTANT.test(at)) this.times = this.recordedAt.map(Date.parse);
    const times = this.times;
    const ms = times ? recordedAtMs(event) : 0;
    const last = this.recordedAt.length - 1;
    if (last >= 0 && (times ? ms < times[last]! : at < this.recordedAt[last]!)) this.monotonic = false;
    this.draft.apply(event);
    this.recordedAt.push(at);
    times?.push(ms);
    const index = this.kept;
    if (index) {
      index.keep(event);
      if (this.recordedAt.length % this.snapshotEvery === 0) index.snapshots.push(this.freezeLatest());
    }
    return 'applied';
  }

  /**
   * The revision "as of" an instant: the last event before the first one recorded after it,
   * exactly as `upTo` stops a fold. -1 when nothing had been recorded yet. No instant: the latest.
   */
  revisionAt(asOf?: Date): number {
    if (asOf === undefined) return this.revision;
    const limit = asOf.getTime();
    // As a string only when it has the form the stored ones have (years 0000–9999).
    const limitText = this.times === undefined ? asOf.toISOString() : '';
    const after = this.times
      ? (r: number) => this.times![r]! > limit
      : ISO_INSTANT.test(limitText)
        ? (r: number) => this.recordedAt[r]! > limitText
        : (r: number) => Date.parse(this.recordedAt[r]!) > limit;
    const count = this.recordedAt.length;
    if (!this.monotonic) {
      for (let r = 0; r < count; r++) if (after(r)) return r - 1;
      return this.revision;
    }
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (!after(mid)) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Whether reads of earlier revisions can be answered: see `index`. */
  get indexed(): boolean {
    return this.kept !== undefined;
  }

  /**
   * The frozen models "as of" reads fold over, oldest first; none until indexed. Whatever is
   * memoised on them (fact analyses, view entries) serves every read between two snapshots, so a
   * reader may warm them.
   */
  get snapshotModels(): readonly IncidentModel[] {
    return this.kept?.snapshots ?? [];
  }

  /**
   * Indexes the stream for reads of earlier revisions, from its events as the store gives them
   * again (revisions 0, 1, 2…; any past the replay's revision are left for `offer`). They are
   * folded from zero, a snapshot frozen every `snapshotEvery` events, and that fold becomes the
   * latest model's too, so snapshots and the latest share their records. Throws, changing
   * nothing, when the events do not reach the replay's revision or do not run in order.
   */
  index(events: Iterable<Recorded<IncidentEvent>>): void {
    if (this.kept) return;
    const index = new StreamIndex();
    const draft = new ModelDraft();
    for (const event of events) {
      const r = index.size;
      if (r > this.revision) break;
      if (event.revision !== r) throw new RangeError(`index: revision ${event.revision} where ${r} was expected`);
      index.keep(event);
      draft.apply(index.eventAt(r, this.recordedAt[r]!));
      if ((r + 1) % this.snapshotEvery === 0) index.snapshots.push(draft.freeze());
    }
    if (index.size !== this.revision + 1) throw new RangeError(`index: the events reach revision ${index.size - 1}, the replay ${this.revision}`);
    this.draft = draft;
    // The latest model is frozen again from this draft when next read: an equal model, sharing records with the snapshots.
    this.latest = index.snapshots.at(-1) ?? initialIncidentModel;
    this.kept = index;
  }

  /** The model after the event at `revision` (default: the latest). Earlier revisions need the stream indexed. */
  modelAt(revision: number = this.revision): IncidentModel {
    if (revision >= this.revision) return this.freezeLatest();
    if (revision < 0) return initialIncidentModel;
    const index = this.kept;
    if (!index) throw new Error(`revision ${revision} is before the latest (${this.revision}): index the stream first`);
    const taken = Math.floor((revision + 1) / this.snapshotEvery);
    const base = taken === 0 ? initialIncidentModel : index.snapshots[taken - 1]!;
    if (base.revision === revision) return base;
    const draft = ModelDraft.over(base);
    for (let r = base.revision + 1; r <= revision; r++) draft.apply(index.eventAt(r, this.recordedAt[r]!));
    return draft.freeze();
  }

  private freezeLatest(): IncidentModel {
    if (this.latest.revision !== this.revision) this.latest = this.draft.freeze();
    return this.latest;
  }
}

/**
 * What an indexed replay keeps: what a fold reads of each event (but when it was recorded, which
 * the replay keeps anyway), by revision, in columns (ids, hashes and the rest would double the
 * memory held, and an object per event would add to it), and the snapshots.
 */
class StreamIndex {
  private readonly types: Array<IncidentEvent['type']> = [];
  private readonly data: Array<IncidentEvent['data']> = [];
  private readonly actors: string[] = [];
  /** snapshots[i] is the model after revision (i + 1) × snapshotEvery − 1. */
  readonly snapshots: IncidentModel[] = [];

  get size(): number {
    return this.types.length;
  }

  keep(event: Recorded<IncidentEvent>): void {
    this.types.push(event.type);
    this.data.push(event.data);
    this.actors.push(event.metadata.actor);
  }

  /** The event at `revision` as far as a fold reads it (the replay keeps when each was recorded). */
  eventAt(revision: number, recordedAt: string): FoldInput {
    const metadata = { recordedAt, actor: this.actors[revision]! };
    // The type and data columns were filled from one event, so they pair up as the union wants.
    return { type: this.types[revision]!, data: this.data[revision]!, revision, metadata } as FoldInput;
  }
}
