import type { EventMetadata, IncidentEvent } from '../events/index.js';
import type { Assessment, AssertionState, FactState, IncidentModel, SourceAssertions } from './incident-model.js';
import { prepend, type List } from './persistent-list.js';
import type { RevisionChange, RevisionEntry } from './schemas.js';

/* How each incident event changes the incident model (see incident-model.ts for the model itself). */

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What a fold reads of a recorded incident event (a `Recorded<IncidentEvent>` is one). */
export type FoldInput = IncidentEvent & { readonly revision: number; readonly metadata: Pick<EventMetadata, 'recordedAt' | 'actor'> };

/** A map being written by a fold (a persistent map's editor, or an overlay over a snapshot). */
export interface MapDraft<V> {
  readonly size: number;
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  freeze(): ReadonlyMap<string, V>;
}

/** A model being folded: its maps are editors, everything else plain fields. */
export type DraftModel = Mutable<Omit<IncidentModel, 'assertions' | 'facts' | 'memo' | 'overlay'>> & {
  assertions: MapDraft<AssertionState>;
  facts: MapDraft<FactState>;
  /** This editing session, until the draft is next frozen: the records it makes are its own to change. */
  session: object;
};

const CORRECTABLE = ['fact', 'value', 'validTime', 'quote', 'citation'] as const;

// Records are built by these constructors, every key always present, so V8 keeps one hidden
// class per record type: object spread over optional-key shapes was the fold's hot spot.
const assertionState = (a: AssertionState): AssertionState => ({
  id: a.id,
  fact: a.fact,
  value: a.value,
  validTime: a.validTime,
  sourceId: a.sourceId,
  citation: a.citation,
  quote: a.quote,
  recordedAt: a.recordedAt,
  recordedBy: a.recordedBy,
  recordedRevision: a.recordedRevision,
  corrected: a.corrected,
  retracted: a.retracted,
  history: a.history,
  view: undefined,
  session: a.session,
});

/** Whether this editing session made the record (and, for a fact's, its array of live lists): it may change it in place. */
const owns = (draft: DraftModel, record: { readonly session: object | undefined }): boolean => record.session === draft.session;

/** What a correction or a retraction changes in an assertion's record. */
type AssertionChange = Pick<AssertionState, 'fact' | 'value' | 'validTime' | 'quote' | 'citation' | 'corrected' | 'retracted' | 'history'>;

/**
 * Changes an assertion's record, as setFact changes a fact's: in place when this editing session
 * made it, else by a new record of the session's. Returns the record now in the draft.
 */
function setAssertion(draft: DraftModel, a: AssertionState, c: AssertionChange): AssertionState {
  if (owns(draft, a)) {
    const own = a as Mutable<AssertionState>;
    own.fact = c.fact;
    own.value = c.value;
    own.validTime = c.validTime;
    own.quote = c.quote;
    own.citation = c.citation;
    own.corrected = c.corrected;
    own.retracted = c.retracted;
    own.history = c.history;
    return a;
  }
  const next = assertionState({
    id: a.id,
    fact: c.fact,
    value: c.value,
    validTime: c.validTime,
    sourceId: a.sourceId,
    citation: c.citation,
    quote: c.quote,
    recordedAt: a.recordedAt,
    recordedBy: a.recordedBy,
    recordedRevision: a.recordedRevision,
    corrected: c.corrected,
    retracted: c.retracted,
    history: c.history,
    session: draft.session,
  });
  draft.assertions.set(a.id, next);
  return next;
}

const revisionEntry = (entry: RevisionEntry): RevisionEntry => entry;

const NO_SOURCES: readonly SourceAssertions[] = Object.freeze([]);

/** The fact's record as the draft holds it, or an empty one (not yet in the draft). */
const factOf = (draft: DraftModel, key: string): FactState =>
  draft.facts.get(key) ?? { key, sources: NO_SOURCES, assessment: undefined, history: undefined, analysis: undefined, session: undefined };

/**
 * Sets the fact's live lists, assessment and history. A record this editing session made is
 * changed in place (no model holds it yet, and nothing was memoised on it); any other is
 * replaced by a new record of the session's, so a frozen model's records never change.
 */
function setFact(draft: DraftModel, f: FactState, sources: readonly SourceAssertions[], assessment: Assessment | undefined, history: List<RevisionEntry>): void {
  if (owns(draft, f)) {
    const own = f as Mutable<FactState>;
    own.sources = sources;
    own.assessment = assessment;
    own.history = history;
    return;
  }
  // The session's record gets an array of its own too, which it may then change in place.
  const ownSources = sources === f.sources ? sources.slice() : sources;
  draft.facts.set(f.key, { key: f.key, sources: ownSources, assessment, history, analysis: undefined, session: draft.session });
}

function logOnFact(draft: DraftModel, key: string, entry: RevisionEntry): void {
  const f = factOf(draft, key);
  setFact(draft, f, f.sources, f.assessment, prepend(f.history, entry));
}

/** Where `sourceId` is in a fact's source lists; -1 when it has none. (A loop: this runs for every recording.) */
function sourceIndex(sources: readonly SourceAssertions[], sourceId: string): number {
  for (let i = 0; i < sources.length; i++) if (sources[i]!.sourceId === sourceId) return i;
  return -1;
}

/**
 * The array of a fact's live lists to change: the fact's own when this session made the record
 * (see setFact), else a copy (a frozen record's array never changes).
 */
const writable = (draft: DraftModel, f: FactState): SourceAssertions[] =>
  owns(draft, f) ? (f.sources as SourceAssertions[]) : f.sources.slice();

/** The fact's live assertions with `a` among them, in its source's list by recording order (latest first). */
function withLive(draft: DraftModel, f: FactState, a: AssertionState, latest: boolean): readonly SourceAssertions[] {
  const i = sourceIndex(f.sources, a.sourceId);
  const list = i < 0 ? undefined : f.sources[i]!.ids;
  // A new recording is the latest of all; only a correction moving an older one must find its place.
  const ids = latest ? prepend(list, a.id) : insertByRecording(draft, list, a);
  const sources = writable(draft, f);
  if (i >= 0) sources[i] = { sourceId: a.sourceId, ids };
  else sources.push({ sourceId: a.sourceId, ids });
  return sources;
}

/** The fact's live assertions without `a`; a source left with none is dropped. */
function withoutLive(draft: DraftModel, f: FactState, a: AssertionState): readonly SourceAssertions[] {
  const i = sourceIndex(f.sources, a.sourceId);
  if (i < 0) return f.sources;
  const ids = withoutId(f.sources[i]!.ids, a.id);
  const sources = writable(draft, f);
  if (ids !== undefined) sources[i] = { sourceId: a.sourceId, ids };
  else sources.splice(i, 1);
  return sources;
}

/** Copies only the nodes before the insertion point; the rest of the list is shared. */
function insertByRecording(draft: DraftModel, list: List<string>, a: AssertionState): List<string> {
  const before: string[] = [];
  let rest = list;
  while (rest && (draft.assertions.get(rest.head)?.recordedRevision ?? -1) > a.recordedRevision) {
    before.push(rest.head);
    rest = rest.tail;
  }
  let out = prepend(rest, a.id);
  for (let k = before.length - 1; k >= 0; k--) out = prepend(out, before[k]!);
  return out;
}

/** Copies only the nodes before `id`; the rest of the list is shared. */
function withoutId(list: List<string>, id: string): List<string> {
  const before: string[] = [];
  let rest = list;
  while (rest && rest.head !== id) {
    before.push(rest.head);
    rest = rest.tail;
  }
  if (!rest) return list;
  let out = rest.tail;
  for (let k = before.length - 1; k >= 0; k--) out = prepend(out, before[k]!);
  return out;
}

/** The fields a correction changes, as they were and as they become (null: was absent). */
function changes(current: AssertionState, data: EventData<'AssertionCorrected'>): { before: RevisionChange; after: RevisionChange } {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const field of CORRECTABLE) {
    if (data[field] === undefined) continue;
    before[field] = current[field] ?? null;
    after[field] = data[field];
  }
  return { before: before as RevisionChange, after: after as RevisionChange };
}

type EventData<T extends IncidentEvent['type']> = Extract<IncidentEvent, { type: T }>['data'];

/** A recording's `after`: the fields it set, absent ones left out. */
function recordedFields(d: EventData<'AssertionRecorded'>): RevisionChange {
  const after: Mutable<RevisionChange> = { fact: d.fact, value: d.value, sourceId: d.sourceId };
  if (d.validTime !== undefined) after.validTime = d.validTime;
  if (d.citation !== undefined) after.citation = d.citation;
  if (d.quote !== undefined) after.quote = d.quote;
  return after;
}

/**
 * Applies one event to a draft the caller owns. Histories are persistent lists and the maps are
 * edited copy-on-write; an assertion or fact record is changed in place only while the editing
 * session that made it lasts (until the draft is next frozen, no model holds it), and replaced
 * otherwise. So a model a draft started from or handed out never changes, and a long fold with
 * no reads in between makes one record per assertion and fact, not one per event.
 *
 * Invariant the fact analysis relies on: whatever changes an assertion also changes the record
 * of the fact it is filed under (its history grows), so once frozen, a fact record identifies its
 * contents.
 */
export function applyTo(draft: DraftModel, event: FoldInput): void {
  const { recordedAt, actor } = event.metadata;
  const revision = event.revision;
  draft.revision = revision;
  draft.updatedAt = recordedAt;

  switch (event.type) {
    case 'IncidentOpened':
      draft.id = event.data.incidentId;
      draft.title = event.data.title;
      draft.summary = event.data.summary;
      draft.openedAt = recordedAt;
      return;
    case 'IncidentDetailsRevised':
      if (event.data.title !== undefined) draft.title = event.data.title;
      if (event.data.summary !== undefined) draft.summary = event.data.summary;
      return;
    case 'AssertionRecorded': {
      const d = event.data;
      const entry = revisionEntry({
        revision,
        type: 'AssertionRecorded',
        recordedAt,
        actor,
        assertionId: d.assertionId,
        after: recordedFields(d),
      });
      const recorded = assertionState({
        id: d.assertionId,
        fact: d.fact,
        value: d.value,
        validTime: d.validTime,
        sourceId: d.sourceId,
        citation: d.citation,
        quote: d.quote,
        recordedAt,
        recordedBy: actor,
        recordedRevision: revision,
        corrected: false,
        retracted: undefined,
        history: prepend(undefined, entry),
        session: draft.session,
      });
      draft.assertions.set(d.assertionId, recorded);
      const f = factOf(draft, d.fact);
      setFact(draft, f, withLive(draft, f, recorded, true), f.assessment, prepend(f.history, entry));
      draft.assertionCount++;
      return;
    }
    case 'AssertionCorrected': {
      const d = event.data;
      const current = draft.assertions.get(d.assertionId);
      if (!current) return;
      const { before, after } = changes(current, d);
      const entry = revisionEntry({ revision, type: 'AssertionCorrected', recordedAt, actor, assertionId: current.id, reason: d.reason, before, after });
      // Read before the change: the record may be changed in place.
      const previousFact = current.fact;
      const next = setAssertion(draft, current, {
        fact: d.fact ?? current.fact,
        value: d.value ?? current.value,
        validTime: d.validTime ?? current.validTime,
        quote: d.quote ?? current.quote,
        citation: d.citation ?? current.citation,
        corrected: true,
        retracted: current.retracted,
        history: prepend(current.history, entry),
      });
      if (next.fact !== previousFact) {
        // A move: the old fact's history records the departure, the new one the arrival.
        // A retracted assertion is in no fact's live lists, and a move does not bring it back.
        // (Its id and source, which the live lists go by, never change.)
        const live = !next.retracted;
        const from = factOf(draft, previousFact);
        setFact(draft, from, live ? withoutLive(draft, from, next) : from.sources, from.assessment, prepend(from.history, entry));
        const to = factOf(draft, next.fact);
        setFact(draft, to, live ? withLive(draft, to, next, false) : to.sources, to.assessment, prepend(to.history, entry));
      } else {
        logOnFact(draft, previousFact, entry);
      }
      return;
    }
    case 'AssertionRetracted': {
      const current = draft.assertions.get(event.data.assertionId);
      if (!current) return;
      if (!current.retracted) draft.assertionCount--;
      const reason = event.data.reason;
      const entry = revisionEntry({ revision, type: 'AssertionRetracted', recordedAt, actor, assertionId: current.id, reason });
      const wasLive = !current.retracted;
      const next = setAssertion(draft, current, {
        fact: current.fact,
        value: current.value,
        validTime: current.validTime,
        quote: current.quote,
        citation: current.citation,
        corrected: current.corrected,
        retracted: { reason, at: recordedAt, actor, revision },
        history: prepend(current.history, entry),
      });
      const f = factOf(draft, next.fact);
      setFact(draft, f, wasLive ? withoutLive(draft, f, next) : f.sources, f.assessment, prepend(f.history, entry));
      return;
    }
    case 'FactAssessed': {
      const { fact: key, preferred, rationale } = event.data;
      const f = factOf(draft, key);
      const previous = f.assessment;
      const entry = revisionEntry({
        revision,
        type: 'FactAssessed',
        recordedAt,
        actor,
        ...(previous ? { before: { preferred: [...previous.preferred], rationale: previous.rationale } } : {}),
        after: { preferred, rationale },
      });
      setFact(draft, f, f.sources, { preferred, rationale, actor, recordedAt, revision }, prepend(f.history, entry));
      return;
    }
  }
}
