import { compatible } from './compatibility.js';
import { patchSorted } from './sorted-patch.js';
import type { Assessment, AssertionState, FactState, IncidentModel } from './incident-model.js';
import type { FactStatus } from './schemas.js';

/** Where a live fact stands: its current assertions (one per source), conflicts and status. */
export interface FactAnalysis {
  readonly fact: string;
  readonly status: FactStatus;
  /** In recording order. */
  readonly current: readonly AssertionState[];
  readonly assessment?: Assessment;
  /** A cache slot for `conflictsOf` (only disputes list the pairs; a status needs one). */
  conflicts?: ReadonlyArray<readonly [string, string]>;
}

/** Where an analysis finds the assertions a fact lists: a model, or a model still being folded. */
export interface AssertionLookup {
  readonly assertions: { get(id: string): AssertionState | undefined };
}

/**
 * A source's later live assertion on a fact supersedes its earlier ones; retracted assertions
 * drop out, so retracting the later one brings the earlier back. The fact record keeps each
 * source's live assertions latest first, so this is one lookup per source.
 */
export function currentAssertions(model: AssertionLookup, fact: FactState): AssertionState[] {
  const current: AssertionState[] = [];
  for (const { ids } of fact.sources) {
    const assertion = ids && model.assertions.get(ids.head);
    if (assertion) current.push(assertion);
  }
  return current.sort((a, b) => a.recordedRevision - b.recordedRevision);
}

/**
 * A frozen fact record is replaced whenever anything filed under it changes (see applyTo), so
 * its analysis is remembered on the record: every model sharing the record shares the analysis.
 * (A memo slot on the record, not a WeakMap: with one entry per record version, WeakMap
 * bookkeeping cost more than the analysis.) Undefined when the fact is not live.
 */
export function analyseFact(model: AssertionLookup, fact: FactState): FactAnalysis | undefined {
  if (fact.analysis === undefined) fact.analysis = analyse(model, fact) ?? null;
  return fact.analysis ?? undefined;
}

function analyse(model: AssertionLookup, fact: FactState): FactAnalysis | undefined {
  const current = currentAssertions(model, fact);
  if (current.length === 0) return undefined;
  const status: FactStatus = anyConflict(current) ? (fact.assessment ? 'assessed' : 'disputed') : current.length === 1 ? 'single-source' : 'corroborated';
  return { fact: fact.key, status, current, ...(fact.assessment ? { assessment: fact.assessment } : {}) };
}

// One current assertion per source, so every pair is a pair of different sources.
function anyConflict(current: readonly AssertionState[]): boolean {
  for (let i = 0; i < current.length; i++) {
    for (let j = i + 1; j < current.length; j++) if (!compatible(current[i]!.value, current[j]!.value)) return true;
  }
  return false;
}

/** The pairs of a fact's current assertions that conflict (assertion ids, earlier recorded first), memoised on the analysis. */
export function conflictsOf(f: FactAnalysis): ReadonlyArray<readonly [string, string]> {
  if (f.conflicts) return f.conflicts;
  const { current } = f;
  const conflicts: Array<readonly [string, string]> = [];
  for (let i = 0; i < current.length; i++) {
    for (let j = i + 1; j < current.length; j++) {
      const a = current[i]!;
      const b = current[j]!;
      if (!compatible(a.value, b.value)) conflicts.push([a.id, b.id]);
    }
  }
  f.conflicts = conflicts;
  return conflicts;
}

const byFact = (a: FactAnalysis, b: FactAnalysis): number => (a.fact < b.fact ? -1 : a.fact > b.fact ? 1 : 0);

/** Every live fact (at least one current assertion), in fact key order. Memoised on the model. */
export function analyseFacts(model: IncidentModel): readonly FactAnalysis[] {
  if (model.memo.facts) return model.memo.facts;
  const live = model.overlay ? patched(model, model.overlay.base, model.overlay.facts) : analyseAll(model);
  model.memo.facts = live;
  return live;
}

function analyseAll(model: IncidentModel): FactAnalysis[] {
  const live: FactAnalysis[] = [];
  model.facts.forEach((fact) => {
    const analysis = analyseFact(model, fact);
    if (analysis) live.push(analysis);
  });
  return live.sort(byFact);
}

/**
 * A model laid over a snapshot: the snapshot's analyses, with those of the few facts whose records
 * differ put in their place (a fact record that did not change has the same analysis).
 */
function patched(model: IncidentModel, base: IncidentModel, changed: ReadonlyMap<string, FactState>): FactAnalysis[] {
  const fresh: FactAnalysis[] = [];
  changed.forEach((fact) => {
    const analysis = analyseFact(model, fact);
    if (analysis) fresh.push(analysis);
  });
  return patchSorted(analyseFacts(base), (kept) => changed.has(kept.fact), fresh, byFact);
}
