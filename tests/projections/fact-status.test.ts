import { describe, expect, it } from 'vitest';
import { disputesView } from '../../projections/disputes.js';
import { factsView } from '../../projections/facts-view.js';
import { evolve, foldIncidentModel, initialIncidentModel } from '../../projections/incident-model.js';
import { fold } from '../../projections/fold.js';
import {
  EUROPOL,
  LE_SOIR,
  SKYECC,
  assessed,
  chronicle,
  corrected,
  ctx,
  id,
  modelOf,
  opened,
  qty,
  recorded,
  retracted,
} from '../support/projection-fixtures.js';

const statusOf = (fact: string, ...steps: Parameters<typeof modelOf>) =>
  factsView(modelOf(...steps), ctx()).facts.find((f) => f.fact === fact)?.status;
const currentIds = (fact: string, ...steps: Parameters<typeof modelOf>) =>
  factsView(modelOf(...steps), ctx()).facts.find((f) => f.fact === fact)?.assertions.map((a) => a.assertionId);

const unlocked = { fact: 'encryption.compromised', value: { type: 'boolean', value: true } } as const;
const notHacked = { fact: 'encryption.compromised', value: { type: 'boolean', value: false }, sourceId: SKYECC } as const;

describe('fact status', () => {
  it('one source makes a single-source fact', () => expect(statusOf('users.worldwide', opened(), recorded('a1'))).toBe('single-source'));

  it('two sources that agree corroborate it', () =>
    expect(
      statusOf('users.worldwide', opened(), recorded('a1', { value: qty(170000, { approximate: true }) }), recorded('a2', { value: qty(171000), sourceId: LE_SOIR })),
    ).toBe('corroborated'));

  it('two sources that disagree dispute it', () => expect(statusOf('encryption.compromised', opened(), recorded('a1', unlocked), recorded('a2', notHacked))).toBe('disputed'));

  it('an editor ruling on a dispute makes it assessed, and the dispute stays visible', () => {
    const model = modelOf(opened(), recorded('a1', unlocked), recorded('a2', notHacked), assessed('encryption.compromised', ['a1'], 'Europol is primary'));
    expect(factsView(model, ctx()).facts[0]?.status).toBe('assessed');
    const [dispute] = disputesView(model, ctx()).disputes;
    expect(dispute?.status).toBe('assessed');
    expect(dispute?.assessment).toMatchObject({ preferred: [id('a1')], rationale: 'Europol is primary', actor: 'editor@ledger', revision: 3 });
  });

  it('an assessment of a fact nobody disputes does not change its status', () =>
    expect(statusOf('users.worldwide', opened(), recorded('a1'), assessed('users.worldwide', ['a1']))).toBe('single-source'));

  it('the same source saying two different things is not a dispute: the later supersedes', () =>
    expect(statusOf('users.worldwide', opened(), recorded('a1', { value: qty(170) }), recorded('a2', { value: qty(170000) }))).toBe('single-source'));
});

describe('supersession', () => {
  it("a source's later assertion on a fact supersedes its earlier one", () =>
    expect(currentIds('users.worldwide', opened(), recorded('a1', { value: qty(1) }), recorded('a2', { value: qty(2) }))).toEqual([id('a2')]));

  it('retracting the later assertion brings the earlier back', () =>
    expect(currentIds('users.worldwide', opened(), recorded('a1', { value: qty(1) }), recorded('a2', { value: qty(2) }), retracted('a2'))).toEqual([id('a1')]));

  it('supersession is per source: other sources stay current', () =>
    expect(
      currentIds('users.worldwide', opened(), recorded('a1'), recorded('b1', { sourceId: SKYECC }), recorded('a2')),
    ).toEqual([id('b1'), id('a2')]));

  it('an assertion moved onto a fact competes there by when it was recorded', () =>
    // a1 (recorded first) moves onto users.monitored, where Europol's later a2 already is: a2 stays current.
    expect(
      currentIds('users.monitored', opened(), recorded('a1', { fact: 'users.worldwide' }), recorded('a2', { fact: 'users.monitored', value: qty(70000) }), corrected('a1', { fact: 'users.monitored' })),
    ).toEqual([id('a2')]));
});

describe('retraction', () => {
  it('a retracted assertion leaves the current views', () => {
    const model = modelOf(opened(), recorded('a1', unlocked), recorded('a2', notHacked), retracted('a2'));
    expect(factsView(model, ctx()).facts).toMatchObject([{ fact: 'encryption.compromised', status: 'single-source' }]);
    expect(disputesView(model, ctx()).disputes).toEqual([]);
  });

  it('a fact whose only assertion is retracted is no longer live', () =>
    expect(factsView(modelOf(opened(), recorded('a1'), retracted('a1')), ctx()).facts).toEqual([]));

  it('the model keeps who retracted it, when and why', () => {
    const model = modelOf(opened(), recorded('a1'), retracted('a1', 'source withdrew it'));
    expect(model.assertions.get(id('a1'))?.retracted).toEqual({ reason: 'source withdrew it', at: '2024-01-01T02:00:00.000Z', actor: 'editor@ledger', revision: 2 });
  });
});

describe('correction', () => {
  it('a correction that changes the fact moves the assertion', () => {
    const facts = factsView(modelOf(opened(), recorded('a1', { fact: 'users.worldwide' }), corrected('a1', { fact: 'users.monitored' })), ctx()).facts;
    expect(facts.map((f) => f.fact)).toEqual(['users.monitored']);
    expect(facts[0]?.assertions[0]).toMatchObject({ assertionId: id('a1'), fact: 'users.monitored', corrected: true });
  });

  it('a corrected value can end a dispute', () => {
    const steps = [opened(), recorded('a1', { value: qty(170) }), recorded('a2', { value: qty(170000), sourceId: SKYECC })] as const;
    expect(statusOf('users.worldwide', ...steps)).toBe('disputed');
    expect(statusOf('users.worldwide', ...steps, corrected('a1', { value: qty(170000) }))).toBe('corroborated');
  });
});

describe('the model', () => {
  it('shows assertions with source names, who recorded them and whether they were corrected', () => {
    const [assertion] = factsView(modelOf(opened(), recorded('a1', { quote: '170 000 utilisateurs', validTime: '2021-03' })), ctx()).facts[0]!.assertions;
    expect(assertion).toEqual({
      assertionId: id('a1'),
      fact: 'users.worldwide',
      value: qty(170000, { approximate: true }),
      validTime: '2021-03',
      sourceId: EUROPOL,
      sourceName: 'Europol',
      quote: '170 000 utilisateurs',
      recordedAt: '2024-01-01T01:00:00.000Z',
      recordedBy: 'editor@ledger',
      corrected: false,
    });
  });

  it('folding step by step gives the same model as folding in one go, and leaves earlier models untouched', () => {
    const events = chronicle(opened(), recorded('a1'), recorded('a2', { sourceId: SKYECC, value: qty(5) }), corrected('a1', { fact: 'users.monitored' }), retracted('a2'));
    const stepwise = fold(events, evolve, initialIncidentModel);
    const batch = foldIncidentModel(events);
    expect(factsView(stepwise, ctx())).toEqual(factsView(batch, ctx()));
    // Look at the raw model, not a view: views are memoised per model object.
    const early = foldIncidentModel(events.slice(0, 3));
    foldIncidentModel(events.slice(3), early);
    evolve(early, events[3]!);
    expect(early.revision).toBe(2);
    expect(early.assertions.get(id('a1'))?.fact).toBe('users.worldwide');
    expect(early.assertions.get(id('a2'))?.retracted).toBeUndefined();
    expect(early.facts.has('users.monitored')).toBe(false);
  });
});
