import { analyseFacts } from './fact-analysis.js';
import type { IncidentModel } from './incident-model.js';
import type { IncidentView } from './schemas.js';
import { asOfField, type ViewContext } from './view-context.js';

/** An incident's summary; undefined when it had not been opened (at that instant). */
export function incidentView(model: IncidentModel, ctx: ViewContext): IncidentView | undefined {
  if (model.id === undefined || model.title === undefined || model.openedAt === undefined) return undefined;
  let disputedFactCount = 0;
  const facts = analyseFacts(model);
  for (const f of facts) if (f.status === 'disputed' || f.status === 'assessed') disputedFactCount++;
  return {
    id: model.id,
    title: model.title,
    ...(model.summary !== undefined ? { summary: model.summary } : {}),
    openedAt: model.openedAt,
    updatedAt: model.updatedAt ?? model.openedAt,
    revision: model.revision,
    assertionCount: model.assertionCount,
    asOf: asOfField(ctx),
    factCount: facts.length,
    disputedFactCount,
  };
}
