import { edtfInterval } from './edtf-intervals.js';
import { analyseFacts, type FactAnalysis } from './fact-analysis.js';
import type { AssertionState, IncidentModel } from './incident-model.js';
import type { Timeline, TimelineEntry } from './schemas.js';
import { asOfField, assertionView, type SourceNames, type ViewContext } from './view-context.js';

/** When an assertion says its fact held or happened: its valid time, else a date value. */
export const timeOf = (a: AssertionState): string | undefined => a.validTime ?? (a.value.type === 'date' ? a.value.value : undefined);

interface Dated {
  readonly start: number;
  readonly entry: TimelineEntry;
}

/** The fact's timeline entry, undefined when no current assertion is dated; `fixed` when every source name was known. */
function datedEntry(f: FactAnalysis, sources: SourceNames): { dated: Dated | undefined; fixed: boolean } {
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
const entries = new WeakMap<FactAnalysis, Dated | null>();

/**
 * Facts that have a valid time, one entry each, ordered by the lower bound of the EDTF interval
 * (open starts first), ties by fact key. An entry's time is that of its earliest current
 * assertion, i.e. the one whose interval starts first (the first recorded among equals).
 */
export function timelineView(model: IncidentModel, ctx: ViewContext): Timeline {
  const dated: Dated[] = [];
  for (const f of analyseFacts(model)) {
    let hit = entries.get(f);
    if (hit === undefined) {
      const { dated: built, fixed } = datedEntry(f, ctx.sources);
      hit = built ?? null;
      if (fixed) entries.set(f, hit);
    }
    if (hit) dated.push(hit);
  }
  // Facts arrive sorted by key and the sort is stable, so equal starts stay in key order.
  dated.sort((x, y) => (x.start === y.start ? 0 : x.start < y.start ? -1 : 1));
  return { incidentId: ctx.incidentId, revision: model.revision, asOf: asOfField(ctx), entries: dated.map((d) => d.entry) };
}
