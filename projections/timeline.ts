import { parseEdtfInterval } from '../events/index.js';
import type { FactAnalysis } from './fact-analysis.js';
import { factList, type FactList } from './fact-list.js';
import type { AssertionState, DatedEntry, IncidentModel } from './incident-model.js';
import type { Timeline } from './schemas.js';
import { asOfField, assertionView, type SourceNames, type ViewContext } from './view-context.js';

/** When an assertion says its fact held or happened: its valid time, else a date value. */
export const timeOf = (a: AssertionState): string | undefined => a.validTime ?? (a.value.type === 'date' ? a.value.value : undefined);

/** The fact's timeline entry, undefined when no current assertion is dated; `fixed` when every source name was known. */
function datedEntry(f: FactAnalysis, sources: SourceNames): { item: DatedEntry | undefined; fixed: boolean } {
  let earliest: { start: number; time: string } | undefined;
  for (const a of f.current) {
    const time = timeOf(a);
    const start = time === undefined ? undefined : parseEdtfInterval(time)?.min;
    if (time !== undefined && start !== undefined && (!earliest || start < earliest.start)) earliest = { start, time };
  }
  const fixed = f.current.every((a) => sources.has(a.sourceId));
  if (!earliest) return { item: undefined, fixed };
  const entry = { fact: f.fact, validTime: earliest.time, status: f.status, assertions: f.current.map((a) => assertionView(a, sources)) };
  return { item: { start: earliest.start, entry }, fixed };
}

/**
 * Timeline entries, one per fact that has a valid time, ordered by the lower bound of the EDTF
 * interval (open starts first), ties by fact key.
 */
const timeline: FactList<DatedEntry> = {
  item: datedEntry,
  factOf: (d) => d.entry.fact,
  compare: (x, y) => (x.start !== y.start ? (x.start < y.start ? -1 : 1) : x.entry.fact < y.entry.fact ? -1 : x.entry.fact > y.entry.fact ? 1 : 0),
  remembered: new WeakMap(),
  read: (memo) => memo.dated,
  write: (memo, items) => {
    memo.dated = items;
  },
};

/**
 * Facts that have a valid time, one entry each, ordered by the lower bound of the EDTF interval
 * (open starts first), ties by fact key. An entry's time is that of its earliest current
 * assertion, i.e. the one whose interval starts first (the first recorded among equals).
 */
export function timelineView(model: IncidentModel, ctx: ViewContext): Timeline {
  return { incidentId: ctx.incidentId, revision: model.revision, asOf: asOfField(ctx), entries: factList(timeline, model, ctx.sources).map((d) => d.entry) };
}
