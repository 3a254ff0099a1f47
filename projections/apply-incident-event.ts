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
});

const factState = (key: string, sources: readonly SourceAssertions[], assessment: Assessment | undefined, history: List<RevisionEntry>): FactState => ({
  key,
  sources,
  assessment,
  history,
  analysis: undefined,
});

const revisionEntry = (entry: RevisionEntry): RevisionEntry => entry;

function updateFact(draft: DraftModel, key: string, change: (fact: FactState) => FactState): void {
  draft.facts.set(key, change(draft.facts.get(key) ?? factState(key, [], undefined, undefined)));
}

const logOnFact = (draft: DraftModel, key: string, entry: RevisionEntry): void =>
  updateFact(draft, key, (f) => factState(f.key, f.sources, f.assessment, prepend(f.history, entry)));

/** Where `sourceId` is in a fact's source lists; -1 when it has none. (A loop: this runs for every recording.) */
function sourceIndex(sources: readonly SourceAssertions[], sourceId: string): number {
  for (let i = 0; i < sources.length; i++) if (sources[i]!.sourceId === sourceId) return i;
  return -1;
}

/** `sources` with the list at `i` replaced (a copy: fact records are immutable). */
function replaced(sources: readonly SourceAssertions[], i: number, ids: List<string>): SourceAssertions[] {
  const copy = sources.slice();
  copy[i] = { sourceId: sources[i]!.sourceId, ids };
  return copy;
}

/** The fact's live assertions with `a` among them, in its source's list by recording order (latest first). */
function withLive(draft: DraftModel, sources: readonly SourceAssertions[], a: AssertionState, latest: boolean): readonly SourceAssertions[] {
  const i = sourceIndex(sources, a.sourceId);
  const list = i < 0 ? undefined : sources[i]!.ids;
  // A new recording is the latest of all; only a correction moving an older one must find its place.
  const ids = latest ? prepend(list, a.id) : insertByRecording(draft, list, a);
  if (i >= 0) return replaced(sources, i, ids);
  const grown = sources.slice();
  grown.push({ sourceId: a.sourceId, ids });
  return grown;
}

/** The fact's live assertions without `a`; a source left with none is dropped. */
function withoutLive(sources: readonly SourceAssertions[], a: AssertionState): readonly SourceAssertions[] {
  const i = sourceIndex(sources, a.sourceId);
  if (i < 0) return sources;
  const ids = withoutId(sources[i]!.ids, a.id);
  if (ids !== undefined) return replaced(sources, i, ids);
  const shrunk = sources.slice();
  shrunk.splice(i, 1);
  return shrunk;
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
 * Applies one event to a draft the caller owns. Assertion and fact records are immutable and
 * replaced, histories are persistent lists, and the maps are edited copy-on-write, so the model
 * a draft started from never changes.
 *
 * Invariant the fact analysis relies on: whatever changes an assertion also replaces the record
 * of the fact it is filed under (its history grows), so a fact record identifies its contents.
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
      });
      draft.assertions.set(d.assertionId, recorded);
      updateFact(draft, d.fact, (f) => factState(f.key, withLive(draft, f.sources, recorded, true), f.assessment, prepend(f.history, entry)));
      draft.assertionCount++;
      return;
    }
    case 'AssertionCorrected': {
      const d = event.data;
      const current = draft.assertions.get(d.assertionId);
      if (!current) return;
      const { before, after } = changes(current, d);
      const entry = revisionEntry({ revision, type: 'AssertionCorrected', recordedAt, actor, assertionId: current.id, reason: d.reason, before, after });
      const next = assertionState({
        ...current,
        fact: d.fact ?? current.fact,
        value: d.value ?? current.value,
        validTime: d.validTime ?? current.validTime,
        quote: d.quote ?? current.quote,
        citation: d.citation ?? current.citation,
        corrected: true,
        history: prepend(current.history, entry),
      });
      draft.assertions.set(current.id, next);
      if (next.fact !== current.fact) {
        // A move: the old fact's history records the departure, the new one the arrival.
        // A retracted assertion is in no fact's live lists, and a move does not bring it back.
        const live = !current.retracted;
        updateFact(draft, current.fact, (f) => factState(f.key, live ? withoutLive(f.sources, current) : f.sources, f.assessment, prepend(f.history, entry)));
        updateFact(draft, next.fact, (f) => factState(f.key, live ? withLive(draft, f.sources, next, false) : f.sources, f.assessment, prepend(f.history, entry)));
      } else {
        logOnFact(draft, current.fact, entry);
      }
      return;
    }
    case 'AssertionRetracted': {
      const current = draft.assertions.get(event.data.assertionId);
      if (!current) return;
      if (!current.retracted) draft.assertionCount--;
      const reason = event.data.reason;
      const entry = revisionEntry({ revision, type: 'AssertionRetracted', recordedAt, actor, assertionId: current.id, reason });
      draft.assertions.set(
        current.id,
        assertionState({ ...current, retracted: { reason, at: recordedAt, actor, revision }, history: prepend(current.history, entry) }),
      );
      updateFact(draft, current.fact, (f) => factState(f.key, current.retracted ? f.sources : withoutLive(f.sources, current), f.assessment, prepend(f.history, entry)));
      return;
    }
    case 'FactAssessed': {
      const { fact: key, preferred, rationale } = event.data;
      updateFact(draft, key, (f) => {
        const previous = f.assessment;
        const entry = revisionEntry({
          revision,
          type: 'FactAssessed',
          recordedAt,
          actor,
          ...(previous ? { before: { preferred: [...previous.preferred], rationale: previous.rationale } } : {}),
          after: { preferred, rationale },
        });
        return factState(f.key, f.sources, { preferred, rationale, actor, recordedAt, revision }, prepend(f.history, entry));
      });
      return;
    }
  }
}
