import { edtfInterval } from './edtf-intervals.js';
import { analyseFacts } from './fact-analysis.js';
import type { AssertionState, IncidentModel } from './incident-model.js';
import type { Timeline, TimelineEntry } from './schemas.js';
import { asOfField, assertionView, type ViewContext } from './view-context.js';

/** When an assertion says its fact held or happened: its valid time, else a date value. */
export const timeOf = (a: AssertionState): string | undefined => a.validTime ?? (a.value.type === 'date' ? a.value.value : undefined);

/**
 * Facts that have a valid time, one entry each, ordered by the lower bound of the EDTF interval
 * (open starts first), ties by fact key. An entry's time is that of its earliest current
 * assertion, i.e. the one whose interval starts first (the first recorded among equals).
 */
export function timelineView(model: IncidentModel, ctx: ViewContext): Timeline {
  const dated: Array<{ start: number; entry: TimelineEntry }> = [];
  for (const f of analyseFacts(model).values()) {
    let earliest: { start: number; time: string } | undefined;
    for (const a of f.current) {
      const time = timeOf(a);
      const start = time === undefined ? undefined : edtfInterval(time)?.min;
      if (time !== undefined && start !== undefined && (!earliest || start < earliest.start)) earliest = { start, time };
    }
    if (!earliest) continue;
    dated.push({
      start: earliest.start,
      entry: { fact: f.fact, validTime: earliest.time, status: f.status, assertions: f.current.map((a) => assertionView(a, ctx.sources)) },
    });
  }
  // Facts arrive sorted by key and the sort is stable, so equal starts stay in key order.
  dated.sort((x, y) => (x.start === y.start ? 0 : x.start < y.start ? -1 : 1));
  return { incidentId: ctx.incidentId, revision: model.revision, asOf: asOfField(ctx), entries: dated.map((d) => d.entry) };
}
