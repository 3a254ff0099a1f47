import { analyseFacts } from './fact-analysis.js';
import type { IncidentModel } from './incident-model.js';
import type { Dispute, Disputes } from './schemas.js';
import { asOfField, assessmentView, type ViewContext } from './view-context.js';

/** Disputed and assessed facts, their positions side by side and the pairs that conflict. */
export function disputesView(model: IncidentModel, ctx: ViewContext): Disputes {
  const disputes: Dispute[] = [];
  for (const f of analyseFacts(model)) {
    if (f.status !== 'disputed' && f.status !== 'assessed') continue;
    disputes.push({
      fact: f.fact,
      status: f.status,
      positions: f.current.map((a) => ({
        assertionId: a.id,
        sourceId: a.sourceId,
        sourceName: ctx.sources.get(a.sourceId)?.name ?? a.sourceId,
        value: a.value,
        ...(a.quote !== undefined ? { quote: a.quote } : {}),
        ...(a.citation !== undefined ? { citation: a.citation } : {}),
      })),
      conflicts: f.conflicts.map(([a, b]) => [a, b]),
      ...(f.assessment ? { assessment: assessmentView(f.assessment) } : {}),
    });
  }
  return { incidentId: ctx.incidentId, revision: model.revision, asOf: asOfField(ctx), disputes };
}
