import type { Citation, IncidentEvent, Recorded, Value } from '../events/index.js';
import { applyTo, type DraftModel, type FoldInput } from './apply-incident-event.js';
import type { List } from './persistent-list.js';
import { OverlayEditor } from './overlay-map.js';
import { PersistentMap } from './persistent-map.js';
import type { FactAnalysis } from './fact-analysis.js';
import type { AssertionView, Dispute, RevisionEntry, TimelineEntry } from './schemas.js';

/**
 * One incident as its stream tells it: details, every assertion's present state, the latest
 * assessment per fact, and the history of every assertion and fact. Views are pure functions of it.
 */
export interface IncidentModel {
  readonly id?: string;
  readonly title?: string;
  readonly summary?: string;
  readonly openedAt?: string;
  readonly updatedAt?: string;
  /** Revision of the last event folded; -1 before the first. */
  readonly revision: number;
  /** Assertions not retracted (superseded ones included). */
  readonly assertionCount: number;
  readonly assertions: ReadonlyMap<string, AssertionState>;
  readonly facts: ReadonlyMap<string, FactState>;
  /**
   * A cache slot for what is derived from this model (every fact's analysis, see
   * fact-analysis.ts): a model is immutable, so it stays true. A slot rather than a WeakMap keyed
   * by model, because "as of" reads make a model per read, and weak tables that churn made every
   * young-generation collection several times slower.
   */
  readonly memo: ModelMemo;
  /**
   * For a model laid over a snapshot ("as of" reads, see ModelDraft.over): the snapshot, and the
   * fact records that differ from it. Views patch what they memoised on the snapshot with those
   * few facts instead of going through every fact again.
   */
  readonly overlay?: { readonly base: IncidentModel; readonly facts: ReadonlyMap<string, FactState> } | undefined;
}

/** What views derive from a model and keep on it (see fact-analysis.ts and fact-list.ts). */
export interface ModelMemo {
  facts?: readonly FactAnalysis[];
  /** The timeline's dated entries, in timeline order; only when every source name was known. */
  dated?: readonly DatedEntry[];
  /** The disputes, in fact key order; only when every source name was known. */
  disputes?: readonly Dispute[];
}

/** A timeline entry with the lower bound of its interval, which orders the timeline. */
export interface DatedEntry {
  readonly start: number;
  readonly entry: TimelineEntry;
}

export interface Retraction {
  readonly reason: string;
  readonly at: string;
  readonly actor: string;
  readonly revision: number;
}

export interface AssertionState {
  readonly id: string;
  readonly fact: string;
  readonly value: Value;
  readonly validTime?: string;
  readonly sourceId: string;
  readonly citation?: Citation;
  readonly quote?: string;
  readonly recordedAt: string;
  readonly recordedBy: string;
  /** Revision of the AssertionRecorded event: "later" in supersession means a higher one. */
  readonly recordedRevision: number;
  readonly corrected: boolean;
  readonly retracted?: Retraction;
  readonly history: List<RevisionEntry>;
  /**
   * A cache slot for the record's view (see view-context.ts), not part of its meaning: a record
   * is immutable, so its view stays true once every name in it is known. A slot rather than a
   * WeakMap: "as of" reads make records per read, and weak tables that churn slow every
   * young-generation collection.
   */
  view?: AssertionView | undefined;
  /** The editing session that made the record, as for FactState: not part of its meaning. */
  readonly session: object | undefined;
}

export interface Assessment {
  readonly preferred: readonly string[];
  readonly rationale: string;
  readonly actor: string;
  readonly recordedAt: string;
  readonly revision: number;
}

/** One source's live (not retracted) assertions on a fact, latest recorded first. */
export interface SourceAssertions {
  readonly sourceId: string;
  readonly ids: List<string>;
}

export interface FactState {
  readonly key: string;
  /**
   * The live assertions filed under this fact, by source: each source's current one is the head
   * of its list, and retracting it brings the next back. Sources with none left are dropped.
   */
  readonly sources: readonly SourceAssertions[];
  readonly assessment?: Assessment;
  readonly history: List<RevisionEntry>;
  /**
   * A cache slot for what is derived from this record (its analysis, see fact-analysis.ts; null:
   * not live). Not part of the fact's meaning: a record is immutable, so anything derived from it
   * stays true. A field of the record, not an object of its own: one fewer allocation per version.
   */
  analysis: FactAnalysis | null | undefined;
  /**
   * The editing session that made the record (see ModelDraft): until that session freezes, no
   * model holds the record, so the session's later events change it in place instead of
   * replacing it. Not part of the fact's meaning.
   */
  readonly session: object | undefined;
}

export const initialIncidentModel: IncidentModel = Object.freeze({
  memo: {},
  revision: -1,
  assertionCount: 0,
  assertions: PersistentMap.empty<AssertionState>(),
  facts: PersistentMap.empty<FactState>(),
});

const asPersistent = <V>(map: ReadonlyMap<string, V>): PersistentMap<V> => {
  if (map instanceof PersistentMap) return map as PersistentMap<V>;
  const editor = PersistentMap.empty<V>().edit();
  for (const [key, value] of map) editor.set(key, value);
  return editor.freeze();
};

/**
 * A model being folded, one event at a time, without copying per event. `freeze()` hands out an
 * immutable model; folding may continue afterwards without touching what was handed out.
 */
export class ModelDraft {
  private readonly draft: DraftModel;
  private readonly factChanges: OverlayEditor<FactState> | undefined;

  constructor(
    from: IncidentModel = initialIncidentModel,
    private readonly base?: IncidentModel,
  ) {
    this.factChanges = base ? new OverlayEditor(from.facts) : undefined;
    // Field by field, as in `frozen` below: see there.
    this.draft = {
      session: {},
      id: from.id,
      title: from.title,
      summary: from.summary,
      openedAt: from.openedAt,
      updatedAt: from.updatedAt,
      revision: from.revision,
      assertionCount: from.assertionCount,
      assertions: base ? new OverlayEditor(from.assertions) : asPersistent(from.assertions).edit(),
      facts: this.factChanges ?? asPersistent(from.facts).edit(),
    };
  }

  /**
   * A draft for a few events over a model that stays as it is (a snapshot): its changes sit in
   * small maps over the model's, nothing is copied. For a model read and dropped, not for one
   * many later models are built on (each would add a layer).
   */
  static over(base: IncidentModel): ModelDraft {
    return new ModelDraft(base, base);
  }

  apply(event: FoldInput): this {
    applyTo(this.draft, event);
    return this;
  }

  get revision(): number {
    return this.draft.revision;
  }

  get assertionCount(): number {
    return this.draft.assertionCount;
  }

  freeze(): IncidentModel {
    // Records made so far now belong to the model handed out: later events replace them.
    this.draft.session = {};
    const assertions = this.draft.assertions.freeze();
    if (this.base && this.factChanges) {
      const facts = this.factChanges.freeze();
      return frozen(this.draft, assertions, facts, { base: this.base, facts: facts.changes });
    }
    return frozen(this.draft, assertions, this.draft.facts.freeze(), undefined);
  }
}

/**
 * A model, field by field. Not `{ ...draft, memo, … }`: an object spread that adds members takes
 * V8's slow path (measured at about 3 µs an object, against a few nanoseconds for a literal), and
 * every "as of" read makes a draft and a model.
 */
const frozen = (
  d: DraftModel,
  assertions: ReadonlyMap<string, AssertionState>,
  facts: ReadonlyMap<string, FactState>,
  overlay: IncidentModel['overlay'],
): IncidentModel => ({
  id: d.id,
  title: d.title,
  summary: d.summary,
  openedAt: d.openedAt,
  updatedAt: d.updatedAt,
  revision: d.revision,
  assertionCount: d.assertionCount,
  assertions,
  facts,
  memo: {},
  overlay,
});

/** One step of the fold: pure, and cheap (copy-on-write maps), so `fold(events, evolve, initial)` is fine. */
export const evolve = (model: IncidentModel, event: Recorded<IncidentEvent>): IncidentModel => new ModelDraft(model).apply(event).freeze();

/** The same fold as `fold(events, evolve, from)`, in one editing session: fewer copies on long replays. */
export const foldIncidentModel = (events: Iterable<Recorded<IncidentEvent>>, from: IncidentModel = initialIncidentModel): IncidentModel => {
  const draft = new ModelDraft(from);
  for (const event of events) draft.apply(event);
  return draft.freeze();
};
