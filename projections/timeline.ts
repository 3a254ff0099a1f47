import { edtfInterval } from './edtf-intervals.js';
import { analyseFact, analyseFacts, type FactAnalysis } from './fact-analysis.js';
import type { AssertionState, DatedEntry, FactState, IncidentModel } from './incident-model.js';
import type { Timeline } from './schemas.js';
import { asOfField, assertionView, type SourceNames, type ViewContext } from './view-context.js';

/** When an assertion says its fact held or happened: its valid time, else a date value. */
export const timeOf = (a: AssertionState): string | undefined => a.validTime ?? (a.value.type === 'date' ? a.value.value : undefined);

/** The fact's timeline entry, undefined when no current assertion is dated; `fixed` when every source name was known. */
function datedEntry(f: FactAnalysis, sources: SourceNames): { dated: DatedEntry | undefined; fixed: boolean } {
  let earliest: { start: number; time: string } | undefined;
  for (const a of f.current) {
    const time = timeOf(a);
    const start = time === undefined ? undefined : edtfInterval(time)?.min;
    if (time !== undefined && start !== undefined && (!earliest || start < earliest.start)) earliest = { start, time };
  }
  const fixed = f.current.every((a) => sources.has(a.sourceId));
  if (!earliest) return { dated: undefined, fixed };
  const entry = { fact: f.fact, validTime: earliest.time, status: f.status, assertions: f.current.map((a) => assertionView(a, sources)) };
  return { dated: { start: earliest.start, entry }, fixed };
}

// An analysis belongs to one immutable fact record, so its entry holds at every revision sharing
// the record: a new revision rebuilds only the entries of the facts it changed.
const entries = new WeakMap<FactAnalysis, DatedEntry | null>();

/** Timeline order: the lower bound of the interval (open starts first), ties by fact key. */
const inOrder = (x: DatedEntry, y: DatedEntry): number =>
  x.start !== y.start ? (x.start < y.start ? -1 : 1) : x.entry.fact < y.entry.fact ? -1 : x.entry.fact > y.entry.fact ? 1 : 0;

/**
 * Facts that have a valid time, one entry each, ordered by the lower bound of the EDTF interval
 * (open starts first), ties by fact key. An entry's time is that of its earliest current
 * assertion, i.e. the one whose interval starts first (the first recorded among equals).
 */
export function timelineView(model: IncidentModel, ctx: ViewContext): Timeline {
  return { incidentId: ctx.incidentId, revision: model.revision, asOf: asOfField(ctx), entries: datedEntries(model, ctx.sources).map((d) => d.entry) };
}

/** The dated entries in timeline order, memoised on the model once every source name is known. */
function datedEntries(model: IncidentModel, sources: SourceNames): readonly DatedEntry[] {
  if (model.memo.dated) return model.memo.dated;
  const { dated, fixed } = model.overlay ? patched(model, model.overlay.base, model.overlay.facts, sources) : allEntries(model, sources);
  if (fixed) model.memo.dated = dated;
  return dated;
}

function allEntries(model: IncidentModel, sources: SourceNames): { dated: DatedEntry[]; fixed: boolean } {
  const dated: DatedEntry[] = [];
  let fixed = true;
  for (const f of analyseFacts(model)) {
    let hit = entries.get(f);
    if (hit === undefined) {
      const built = datedEntry(f, sources);
      hit = built.dated ?? null;
      if (built.fixed) entries.set(f, hit);
      else fixed = false;
    }
    if (hit) dated.push(hit);
  }
  // Facts arrive sorted by key and the sort is stable, so equal starts stay in key order.
  dated.sort((x, y) => (x.start === y.start ? 0 : x.start < y.start ? -1 : 1));
  return { dated, fixed };
}

/**
 * A model laid over a snapshot: the snapshot's entries, less those of the facts whose records
 * differ, merged with theirs. (Those records belong to this model alone, so their entries are
 * not remembered.)
 */
function patched(model: IncidentModel, base: IncidentModel, changed: ReadonlyMap<string, FactState>, sources: SourceNames): { dated: DatedEntry[]; fixed: boolean } {
  const kept = datedEntries(base, sources);
  let fixed = base.memo.dated !== undefined;
  const fresh: DatedEntry[] = [];
  changed.forEach((fact) => {
    const analysis = analyseFact(model, fact);
    if (!analysis) return;
    const built = datedEntry(analysis, sources);
    if (!built.fixed) fixed = false;
    if (built.dated) fresh.push(built.dated);
  });
  fresh.sort(inOrder);
  const dated: DatedEntry[] = [];
  let k = 0;
  for (const d of kept) {
    if (changed.has(d.entry.fact)) continue;
    while (k < fresh.length && inOrder(fresh[k]!, d) < 0) dated.push(fresh[k++]!);
    dated.push(d);
  }
  while (k < fresh.length) dated.push(fresh[k++]!);
  return { dated, fixed };
}
