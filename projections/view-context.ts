import type { Assessment, AssertionState } from './incident-model.js';
import type { AssertionView, AssessmentView } from './schemas.js';

/** Source names by id, as the source directory knows them. */
export type SourceNames = ReadonlyMap<string, { readonly name: string }>;

/** What every per-incident view needs besides the model. */
export interface ViewContext {
  readonly incidentId: string;
  readonly sources: SourceNames;
  /** The instant asked about; absent for "now". */
  readonly asOf?: Date;
}

export const asOfField = (ctx: ViewContext): string | null => ctx.asOf?.toISOString() ?? null;

// An assertion record never changes and a registered source keeps its name, so once the name is
// known the view of a record is fixed: every timeline and facts view at every revision shares it.
export function assertionView(a: AssertionState, sources: SourceNames): AssertionView {
  if (a.view) return a.view;
  const sourceName = sources.get(a.sourceId)?.name;
  const view = buildAssertionView(a, sourceName);
  // An unknown source may be registered later (an imported ledger): not remembered until then.
  if (sourceName !== undefined) a.view = view;
  return view;
}

function buildAssertionView(a: AssertionState, sourceName: string | undefined): AssertionView {
  return {
    assertionId: a.id,
    fact: a.fact,
    value: a.value,
    ...(a.validTime !== undefined ? { validTime: a.validTime } : {}),
    sourceId: a.sourceId,
    ...(sourceName !== undefined ? { sourceName } : {}),
    ...(a.citation !== undefined ? { citation: a.citation } : {}),
    ...(a.quote !== undefined ? { quote: a.quote } : {}),
    recordedAt: a.recordedAt,
    recordedBy: a.recordedBy,
    corrected: a.corrected,
  };
}

export const assessmentView = (a: Assessment): AssessmentView => ({
  preferred: [...a.preferred],
  rationale: a.rationale,
  actor: a.actor,
  recordedAt: a.recordedAt,
  revision: a.revision,
});
