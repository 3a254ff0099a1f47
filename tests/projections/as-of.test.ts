import { describe, expect, it } from 'vitest';
import { factsView } from '../../projections/facts-view.js';
import { fold, upTo } from '../../projections/fold.js';
import { assertionHistoryView } from '../../projections/history.js';
import { evolve, foldIncidentModel, initialIncidentModel } from '../../projections/incident-model.js';
import { incidentView } from '../../projections/incident-view.js';
import { timelineView } from '../../projections/timeline.js';
import { at, chronicle, corrected, ctx, id, opened, qty, recorded } from '../support/projection-fixtures.js';

// Opened 1 March, Europol said 170 on 2 March, an editor fixed it to 170,000 on 10 March.
const events = chronicle(
  at('2024-03-01T09:00:00Z', opened()),
  at('2024-03-02T09:00:00Z', recorded('a1', { value: qty(170), validTime: '2021-03' })),
  at('2024-03-10T09:00:00Z', corrected('a1', { value: qty(170000), reason: 'missing zeros' })),
);
const asOf = (instant: string) => foldIncidentModel(upTo(events, new Date(instant)));

describe('as of an instant', () => {
  it('before the correction shows the old value and the revision it reflects', () => {
    const when = new Date('2024-03-05T00:00:00Z');
    const view = timelineView(asOf('2024-03-05T00:00:00Z'), ctx(when));
    expect(view).toMatchObject({ revision: 1, asOf: '2024-03-05T00:00:00.000Z' });
    expect(view.entries[0]?.assertions[0]).toMatchObject({ value: qty(170), corrected: false });
  });

  it('after the correction shows the new value', () => {
    const view = timelineView(asOf('2024-03-11T00:00:00Z'), ctx());
    expect(view.revision).toBe(2);
    expect(view.entries[0]?.assertions[0]).toMatchObject({ value: qty(170000), corrected: true });
  });

  it('includes an event recorded exactly at the instant', () => expect(asOf('2024-03-10T09:00:00Z').revision).toBe(2));

  it("the history as of then does not know what came later", () =>
    expect(assertionHistoryView(asOf('2024-03-05T00:00:00Z'), id('a1'), ctx())?.revisions.map((r) => r.type)).toEqual(['AssertionRecorded']));

  it('before the incident was opened there is nothing: revision -1 and no incident', () => {
    const model = asOf('2024-02-01T00:00:00Z');
    expect(model.revision).toBe(-1);
    expect(factsView(model, ctx())).toMatchObject({ revision: -1, facts: [] });
    expect(incidentView(model, ctx())).toBeUndefined();
  });

  it('is the same fold stopped early', () =>
    expect(fold(upTo(events, new Date('2024-03-05T00:00:00Z')), evolve, initialIncidentModel).revision).toBe(1));
});
