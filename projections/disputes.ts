import { analyseFact, analyseFacts, conflictsOf, type FactAnalysis } from './fact-analysis.js';
import type { FactState, IncidentModel } from './incident-model.js';
import type { Dispute, Disputes } from './schemas.js';
import { asOfField, assessmentView, type SourceNames, type ViewContext } from './view-context.js';

/** Disputed and assessed facts, their positions side by side and the pairs that conflict. */
export function disputesView(model: IncidentModel, ctx: ViewContext): Disputes {
  return { incidentId: ctx.incidentId, revision: model.revision, asOf: asOfField(ctx), disputes: disputeList(model, ctx.sources).slice() };
}

/** A fact's dispute, undefined when it is not disputed; `fixed` when every source name was known. */
function disputeOf(f: FactAnalysis, sources: SourceNames): { dispute: Dispute | undefined; fixed: boolean } {
  if (f.status !== 'disputed' && f.status !== 'assessed') return { dispute: undefined, fixed: true };
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
  return { dispute, fixed };
}

// As for timeline entries (timeline.ts): an analysis belongs to one immutable fact record, so its
// dispute holds at every revision sharing the record.
const disputes = new WeakMap<FactAnalysis, Dispute | null>();

/** The disputes in fact key order, memoised on the model once every source name is known. */
function disputeList(model: IncidentModel, sources: SourceNames): readonly Dispute[] {
  if (model.memo.disputes) return model.memo.disputes;
  const { list, fixed } = model.overlay ? patched(model, model.overlay.base, model.overlay.facts, sources) : allDisputes(model, sources);
  if (fixed) model.memo.disputes = list;
  return list;
}

function allDisputes(model: IncidentModel, sources: SourceNames): { list: Dispute[]; fixed: boolean } {
  const list: Dispute[] = [];
  let fixed = true;
  for (const f of analyseFacts(model)) {
    let hit = disputes.get(f);
    if (hit === undefined) {
      const built = disputeOf(f, sources);
      hit = built.dispute ?? null;
      if (built.fixed) disputes.set(f, hit);
      else fixed = false;
    }
    if (hit) list.push(hit);
  }
  return { list, fixed };
}

/**
 * A model laid over a snapshot: the snapshot's disputes, less those of the facts whose records
 * differ, merged with theirs (not remembered: those records belong to this model alone).
 */
function patched(model: IncidentModel, base: IncidentModel, changed: ReadonlyMap<string, FactState>, sources: SourceNames): { list: Dispute[]; fixed: boolean } {
  const kept = disputeList(base, sources);
  let fixed = base.memo.disputes !== undefined;
  const fresh: Dispute[] = [];
  changed.forEach((fact) => {
    const analysis = analyseFact(model, fact);
    if (!analysis) return;
    const built = disputeOf(analysis, sources);
    if (!built.fixed) fixed = false;
    if (built.dispute) fresh.push(built.dispute);
  });
  fresh.sort((a, b) => (a.fact < b.fact ? -1 : a.fact > b.fact ? 1 : 0));
  const list: Dispute[] = [];
  let k = 0;
  for (const d of kept) {
    if (changed.has(d.fact)) continue;
    while (k < fresh.length && fresh[k]!.fact < d.fact) list.push(fresh[k++]!);
    list.push(d);
  }
  while (k < fresh.length) list.push(fresh[k++]!);
  return { list, fixed };
}
