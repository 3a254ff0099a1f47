import { conflictsOf, type FactAnalysis } from './fact-analysis.js';
import { factList, type FactList } from './fact-list.js';
import type { IncidentModel } from './incident-model.js';
import type { Dispute, Disputes } from './schemas.js';
import { asOfField, assessmentView, type SourceNames, type ViewContext } from './view-context.js';

/** Disputed and assessed facts, their positions side by side and the pairs that conflict. */
export function disputesView(model: IncidentModel, ctx: ViewContext): Disputes {
  return { incidentId: ctx.incidentId, revision: model.revision, asOf: asOfField(ctx), disputes: factList(disputes, model, ctx.sources).slice() };
}

/** A fact's dispute, undefined when it is not disputed; `fixed` when every source name was known. */
function disputeOf(f: FactAnalysis, sources: SourceNames): { item: Dispute | undefined; fixed: boolean } {
  if (f.status !== 'disputed' && f.status !== 'assessed') return { item: undefined, fixed: true };
  let fixed = true;
  const positions = f.current.map((a) => {
    const sourceName = sources.get(a.sourceId)?.name;
    if (sourceName === undefined) fixed = false;
    return {
      assertionId: a.id,
      sourceId: a.sourceId,
      sourceName: sourceName ?? a.sourceId,
      value: a.value,
      ...(a.quote !== undefined ? { quote: a.quote } : {}),
      ...(a.citation !== undefined ? { citation: a.citation } : {}),
    };
  });
  const dispute: Dispute = {
    fact: f.fact,
    status: f.status,
    positions,
    conflicts: conflictsOf(f).map(([a, b]) => [a, b]),
    ...(f.assessment ? { assessment: assessmentView(f.assessment) } : {}),
  };
  return { item: dispute, fixed };
}

/** Disputes, one per disputed or assessed fact, in fact key order. */
const disputes: FactList<Dispute> = {
  item: disputeOf,
  factOf: (d) => d.fact,
  compare: (a, b) => (a.fact < b.fact ? -1 : a.fact > b.fact ? 1 : 0),
  remembered: new WeakMap(),
  read: (memo) => memo.disputes,
  write: (memo, items) => {
    memo.disputes = items;
  },
};
