import { describe, expect, it } from 'vitest';
import { assertionHistoryView, factHistoryView } from '../../projections/history.js';
import { EUROPOL, assessed, at, by, corrected, ctx, hour, id, modelOf, opened, qty, recorded, retracted } from '../support/projection-fixtures.js';

describe('assertion history', () => {
  it('lists every change with who, when and why; corrections carry only what changed', () => {
    const model = modelOf(
      opened(),
      by('reporter@ledger', recorded('a1', { value: qty(170) })),
      corrected('a1', { value: qty(170000), validTime: '2021-03', reason: 'missing zeros' }),
      retracted('a1', 'source withdrew it'),
    );
    expect(assertionHistoryView(model, id('a1'), ctx())?.revisions).toEqual([
      {
        revision: 1,
        type: 'AssertionRecorded',
        recordedAt: hour(1),
        actor: 'reporter@ledger',
        assertionId: id('a1'),
        after: { fact: 'users.worldwide', value: qty(170), sourceId: EUROPOL },
      },
      {
        revision: 2,
        type: 'AssertionCorrected',
        recordedAt: hour(2),
        actor: 'editor@ledger',
        assertionId: id('a1'),
        reason: 'missing zeros',
        // validTime was absent before: null says so.
        before: { value: qty(170), validTime: null },
        after: { value: qty(170000), validTime: '2021-03' },
      },
      { revision: 3, type: 'AssertionRetracted', recordedAt: hour(3), actor: 'editor@ledger', assertionId: id('a1'), reason: 'source withdrew it' },
    ]);
  });

  it('is unknown for an assertion never recorded', () => expect(assertionHistoryView(modelOf(opened()), id('a9'), ctx())).toBeUndefined());
});

describe('fact history', () => {
  it("collects its assertions' changes and its assessments", () => {
    const model = modelOf(
      opened(),
      recorded('a1', { value: qty(1) }),
      recorded('a2', { value: qty(2), sourceId: id('skyecc') }),
      assessed('users.worldwide', ['a1'], 'Europol is primary'),
      assessed('users.worldwide', ['a2'], 'Sky ECC clarified'),
    );
    const revisions = factHistoryView(model, 'users.worldwide', ctx())?.revisions ?? [];
    expect(revisions.map((r) => [r.revision, r.type, r.assertionId])).toEqual([
      [1, 'AssertionRecorded', id('a1')],
      [2, 'AssertionRecorded', id('a2')],
      [3, 'FactAssessed', undefined],
      [4, 'FactAssessed', undefined],
    ]);
    expect(revisions[3]).toMatchObject({
      before: { preferred: [id('a1')], rationale: 'Europol is primary' },
      after: { preferred: [id('a2')], rationale: 'Sky ECC clarified' },
    });
  });

  it('shows a move on both facts, and later changes on the fact the assertion now belongs to', () => {
    const model = modelOf(
      opened(),
      recorded('a1', { fact: 'users.worldwide' }),
      at(hour(5), corrected('a1', { fact: 'users.monitored', reason: 'filed under the wrong key' })),
      at(hour(6), retracted('a1')),
    );
    const move = { revision: 2, type: 'AssertionCorrected', before: { fact: 'users.worldwide' }, after: { fact: 'users.monitored' }, reason: 'filed under the wrong key' };
    const from = factHistoryView(model, 'users.worldwide', ctx())?.revisions;
    const to = factHistoryView(model, 'users.monitored', ctx())?.revisions;
    expect(from?.map((r) => r.type)).toEqual(['AssertionRecorded', 'AssertionCorrected']);
    expect(from?.[1]).toMatchObject(move);
    expect(to?.map((r) => r.type)).toEqual(['AssertionCorrected', 'AssertionRetracted']);
    expect(to?.[0]).toMatchObject(move);
  });

  it('is unknown for a fact never mentioned', () => expect(factHistoryView(modelOf(opened()), 'nothing.here', ctx())).toBeUndefined());
});
