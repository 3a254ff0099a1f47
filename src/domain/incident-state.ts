import type { Citation, IncidentEvent, Value } from '../../events/index.js';

/** What the incident decider needs to know to accept or refuse a command; nothing more. */
export interface AssertionState {
  readonly id: string;
  readonly fact: string;
  readonly value: Value;
  readonly validTime?: string;
  readonly sourceId: string;
  readonly quote?: string;
  readonly citation?: Citation;
  readonly retracted: boolean;
}

export interface IncidentState {
  readonly exists: boolean;
  readonly id?: string;
  readonly title?: string;
  readonly summary?: string;
  readonly assertions: ReadonlyMap<string, AssertionState>;
}

export const initialIncidentState = (): IncidentState => ({ exists: false, assertions: new Map() });

/** A decision state its owner may change: `evolveInPlace` advances it without copying. */
export type IncidentDraft = { -readonly [K in keyof IncidentState]: IncidentState[K] } & { assertions: Map<string, AssertionState> };

/** A draft of `from` that shares nothing mutable with it: one copy of the assertions map. */
export const draftIncident = (from: IncidentState = initialIncidentState()): IncidentDraft => ({ ...from, assertions: new Map(from.assertions) });

/**
 * Applies one event to a draft the caller owns. `evolve` and `foldIncident` are the pure faces
 * of it: `evolve` copies first; `foldIncident` folds many events into one fresh draft, so loading
 * a 10,000-event incident costs O(n), not O(n²) map copies. A caller that keeps a draft across
 * commands (the Ledger's decision cache) advances it with this alone, so a command costs
 * O(new events), not a copy of every assertion. Assertion records are replaced, never changed,
 * so only the draft's own fields and map move.
 */
export function evolveInPlace(draft: IncidentDraft, event: IncidentEvent): void {
  switch (event.type) {
    case 'IncidentOpened':
      draft.exists = true;
      draft.id = event.data.incidentId;
      draft.title = event.data.title;
      draft.summary = event.data.summary;
      return;
    case 'IncidentDetailsRevised':
      if (event.data.title !== undefined) draft.title = event.data.title;
      if (event.data.summary !== undefined) draft.summary = event.data.summary;
      return;
    case 'AssertionRecorded': {
      const { assertionId, ...rest } = event.data;
      draft.assertions.set(assertionId, { id: assertionId, ...rest, retracted: false });
      return;
    }
    case 'AssertionCorrected': {
      const current = draft.assertions.get(event.data.assertionId);
      if (!current) return;
      const { assertionId: _id, reason: _reason, ...changes } = event.data;
      draft.assertions.set(current.id, { ...current, ...changes });
      return;
    }
    case 'AssertionRetracted': {
      const current = draft.assertions.get(event.data.assertionId);
      if (current) draft.assertions.set(current.id, { ...current, retracted: true });
      return;
    }
    case 'FactAssessed':
      return;
  }
}

export const evolve = (state: IncidentState, event: IncidentEvent): IncidentState => {
  const draft = draftIncident(state);
  evolveInPlace(draft, event);
  return draft;
};

export const foldIncident = (events: Iterable<IncidentEvent>, from: IncidentState = initialIncidentState()): IncidentState => {
  const draft = draftIncident(from);
  for (const event of events) evolveInPlace(draft, event);
  return draft;
};
