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
 * from zero. Events are folded once, forwards, into the latest model. The first read of an
 * earlier revision indexes the stream: it folds the events again from zero, freezing the model
 * every `snapshotEvery` events, and from then on each offer keeps the snapshots current. The
 * model "as of" revision r is the last snapshot at or before r with the few events after it
 * folded on top, so it equals `fold(upTo(events, asOf))`. Snapshots are persistent maps sharing
 * every record they have in common (with each other and with the latest model), so a snapshot
 * costs the records its events changed, not a copy of the model; and records shared between
 * models share their memoised analyses. Most incidents are only ever read as they are now: they
 * never pay for snapshots.
 */
export class IncidentReplay {
  // What a fold reads of each event, by revision, in columns: ids, hashes and the rest would
  // double the memory held, and an object per event would add to it.
  private readonly types: Array<IncidentEvent['type']> = [];
  private readonly data: Array<IncidentEvent['data']> = [];
  private readonly recordedAt: string[] = [];
  private readonly actors: string[] = [];
  /**
   * recordedAt in epoch ms, needed only once some recordedAt is not in the one form
   * Date#toISOString writes ("2021-03-10T06:00:00.000Z"): strings of that form order as the
   * instants do, so until then they are compared as they are, with no parsing per event.
   */
  private times: number[] | undefined;
  private draft = new ModelDraft();
  private latest: IncidentModel = initialIncidentModel;
  /** snapshots[i] is the model after revision (i + 1) × snapshotEvery − 1; undefined until indexed. */
  private snapshots: IncidentModel[] | undefined;
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
    this.types.push(event.type);
    this.data.push(event.data);
    this.recordedAt.push(at);
    this.actors.push(event.metadata.actor);
    times?.push(ms);
    if (this.snapshots && this.recordedAt.length % this.snapshotEvery === 0) this.snapshots.push(this.freezeLatest());
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

  /** Whether the stream has been indexed for reads of earlier revisions (see the class comment). */
  get indexed(): boolean {
    return this.snapshots !== undefined;
  }

  /**
   * The frozen models "as of" reads fold over, oldest first; none until indexed. Whatever is
   * memoised on them (fact analyses, view entries) serves every read between two snapshots, so a
   * reader may warm them.
   */
  get snapshotModels(): readonly IncidentModel[] {
    return this.snapshots ?? [];
  }

  /** The model after the event at `revision` (default: the latest). */
  modelAt(revision: number = this.revision): IncidentModel {
    if (revision >= this.revision) return this.freezeLatest();
    if (revision < 0) return initialIncidentModel;
    const taken = Math.floor((revision + 1) / this.snapshotEvery);
    const base = taken === 0 ? initialIncidentModel : this.index()[taken - 1]!;
    if (base.revision === revision) return base;
    const draft = ModelDraft.over(base);
    for (let r = base.revision + 1; r <= revision; r++) draft.apply(this.eventAt(r));
    return draft.freeze();
  }

  /**
   * The snapshots, folded from the event columns the first time they are needed. The fold that
   * takes them becomes the latest model's too, so snapshots and the latest share their records.
   */
  private index(): IncidentModel[] {
    if (this.snapshots) return this.snapshots;
    const snapshots: IncidentModel[] = [];
    const draft = new ModelDraft();
    for (let r = 0; r <= this.revision; r++) {
      draft.apply(this.eventAt(r));
      if ((r + 1) % this.snapshotEvery === 0) snapshots.push(draft.freeze());
    }
    this.draft = draft;
    // The latest model is frozen again from this draft when next read: an equal model, sharing records with the snapshots.
    this.latest = snapshots.at(-1) ?? initialIncidentModel;
    this.snapshots = snapshots;
    return snapshots;
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
