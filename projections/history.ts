import type { IncidentModel } from './incident-model.js';
import { oldestFirst } from './persistent-list.js';
import type { AssertionHistory, FactHistory } from './schemas.js';
import { asOfField, type ViewContext } from './view-context.js';

/** Every change to a fact, oldest first: its assertions' recordings, corrections (moves in and out), retractions, assessments. Undefined for a fact never mentioned. */
export function factHistoryView(model: IncidentModel, fact: string, ctx: ViewContext): FactHistory | undefined {
  const state = model.facts.get(fact);
  if (!state) return undefined;
  return { incidentId: ctx.incidentId, fact, revision: model.revision, asOf: asOfField(ctx), revisions: oldestFirst(state.history) };
}

/** Every change to an assertion, oldest first. Undefined for an assertion not (yet) recorded. */
export function assertionHistoryView(model: IncidentModel, assertionId: string, ctx: ViewContext): AssertionHistory | undefined {
  const state = model.assertions.get(assertionId);
  if (!state) return undefined;
  return { incidentId: ctx.incidentId, assertionId, revision: model.revision, asOf: asOfField(ctx), revisions: oldestFirst(state.history) };
}
