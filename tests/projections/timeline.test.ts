import { describe, expect, it } from 'vitest';
import { timelineView } from '../../projections/timeline.js';
import { SKYECC, ctx, id, modelOf, opened, qty, recorded, retracted } from '../support/projection-fixtures.js';

const day = (value: string) => ({ type: 'date', value }) as const;
const entriesOf = (...steps: Parameters<typeof modelOf>) => timelineView(modelOf(...steps), ctx()).entries;

describe('timeline', () => {
  it('orders facts by the lower bound of their valid time, open starts first', () => {
    const entries = entriesOf(
      opened(),
      recorded('a1', { fact: 'searches.be-nl', value: day('2021-03-09') }),
      recorded('a2', { fact: 'users.monitored', value: qty(70000, { approximate: true }), validTime: '2021-02-15~' }),
      recorded('a3', { fact: 'investigation.fr', value: day('2019-07-20/..') }),
      recorded('a4', { fact: 'before.everything', value: qty(1), validTime: '../2018' }),
    );
    expect(entries.map((e) => [e.fact, e.validTime])).toEqual([
      ['before.everything', '../2018'],
      ['investigation.fr', '2019-07-20/..'],
      ['users.monitored', '2021-02-15~'],
      ['searches.be-nl', '2021-03-09'],
    ]);
  });

  it('breaks ties by fact key', () =>
    expect(entriesOf(opened(), recorded('a1', { fact: 'b.fact', validTime: '2021' }), recorded('a2', { fact: 'a.fact', validTime: '2021-01-01' })).map((e) => e.fact)).toEqual([
      'a.fact',
      'b.fact',
    ]));

  it('leaves out facts without any valid time', () =>
    expect(entriesOf(opened(), recorded('a1', { fact: 'users.worldwide' }), recorded('a2', { fact: 'searches', value: day('2021-03-09') })).map((e) => e.fact)).toEqual(['searches']));

  it('shows a disputed fact once, at its earliest current assertion, with every current assertion', () => {
    const [entry, ...rest] = entriesOf(
      opened(),
      recorded('a1', { fact: 'searches', value: day('2021-03-10') }),
      recorded('a2', { fact: 'searches', value: day('2021-03-09'), sourceId: SKYECC }),
    );
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ fact: 'searches', validTime: '2021-03-09', status: 'disputed' });
    expect(entry?.assertions.map((a) => a.assertionId)).toEqual([id('a1'), id('a2')]);
  });

  it('uses only current assertions: a retracted valid time no longer places the fact', () =>
    expect(
      entriesOf(opened(), recorded('a1', { fact: 'searches', value: day('2021-03-09') }), recorded('a2', { fact: 'searches', value: day('2021-03-11'), sourceId: SKYECC }), retracted('a1')).map(
        (e) => e.validTime,
      ),
    ).toEqual(['2021-03-11']));

  it('says which revision it reflects', () => {
    expect(timelineView(modelOf(opened(), recorded('a1')), ctx())).toMatchObject({ revision: 1, asOf: null, entries: [] });
  });
});
