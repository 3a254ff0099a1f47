import { analyseFacts } from './fact-analysis.js';
import type { IncidentModel } from './incident-model.js';
import type { FactsView } from './schemas.js';
import { asOfField, assertionView, assessmentView, type ViewContext } from './view-context.js';

/** Every live fact, by key, with its status and current assertions. */
export const factsView = (model: IncidentModel, ctx: ViewContext): FactsView => ({
  incidentId: ctx.incidentId,
  revision: model.revision,
  asOf: asOfField(ctx),
  facts: analyseFacts(model).map((f) => ({
    fact: f.fact,
    status: f.status,
    assertions: f.current.map((a) => assertionView(a, ctx.sources)),
    ...(f.assessment ? { assessment: assessmentView(f.assessment) } : {}),
  })),
});
