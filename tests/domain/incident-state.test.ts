import { describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../../events/index.js';
import { draftIncident, evolve, evolveInPlace, foldIncident, initialIncidentState, type IncidentState } from '../../src/domain/incident-state.js';
import { INCIDENT, corrected, id, opened, qty, recorded, retracted } from '../support/incident-fixtures.js';

/** One of every event the decision state reacts to, and one it ignores. */
const history: IncidentEvent[] = [
  opened('Sky'),
  recorded('a1'),
  recorded('a2', { fact: 'arrests.belgium', value: qty(48) }),
  { type: 'IncidentDetailsRevised', data: { incidentId: INCIDENT, summary: 'Europol operation' } },
  corrected('a1', { value: qty(170000), quote: 'about 170,000 users' }),
  { type: 'FactAssessed', data: { fact: 'users.worldwide', preferred: [id('a1')], rationale: 'primary source' } },
  retracted('a2'),
  recorded('a3'),
  corrected('a9'),
  { type: 'IncidentDetailsRevised', data: { incidentId: INCIDENT, title: 'Sky ECC' } },
];

/** The state as plain data, so two states compare by content whatever their map's history. */
const contentOf = (state: IncidentState) => ({ ...state, assertions: [...state.assertions.entries()].sort(([a], [b]) => a.localeCompare(b)) });

describe('the decision state', () => {
  it('is the same whether folded at once, evolved step by step, or advanced in place batch by batch', () => {
    const folded = foldIncident(history);
    const evolved = history.reduce(evolve, initialIncidentState());
    // As the Ledger's cache does: one draft, advanced by whatever arrived since the last command.
    const draft = draftIncident();
    for (const batch of [history.slice(0, 1), history.slice(1, 2), history.slice(2, 7), [], history.slice(7)]) {
      for (const event of batch) evolveInPlace(draft, event);
    }

    expect(contentOf(evolved)).toEqual(contentOf(folded));
    expect(contentOf(draft)).toEqual(contentOf(folded));
    expect(folded.assertions.get(id('a1'))).toMatchObject({ value: qty(170000), quote: 'about 170,000 users', retracted: false });
    expect(folded.assertions.get(id('a2'))?.retracted).toBe(true);
    expect(folded).toMatchObject({ exists: true, title: 'Sky ECC', summary: 'Europol operation' });
  });

  it('is the same folded from an earlier state as folded from the start', () => {
    const early = foldIncident(history.slice(0, 4));
    expect(contentOf(foldIncident(history.slice(4), early))).toEqual(contentOf(foldIncident(history)));
  });

  it('never changes the state that evolve or the fold start from', () => {
    const before = foldIncident(history.slice(0, 3));
    const snapshot = contentOf(before);
    evolve(before, retracted('a1'));
    foldIncident(history.slice(3), before);
    expect(contentOf(before)).toEqual(snapshot);
  });

  it('drafts a copy that can be advanced in place without touching the state it was drafted from', () => {
    const before = foldIncident(history.slice(0, 3));
    const snapshot = contentOf(before);
    const draft = draftIncident(before);
    for (const event of history.slice(3)) evolveInPlace(draft, event);
    expect(contentOf(before)).toEqual(snapshot);
    expect(contentOf(draft)).toEqual(contentOf(foldIncident(history)));
  });
});
