import { describe, expect, it } from 'vitest';
import { upTo } from '../../projections/fold.js';
import { GlobalReadModels } from '../../projections/global-models.js';
import { GlobalSnapshots } from '../../projections/global-snapshots.js';
import type { Recorded } from '../../events/index.js';
import { LedgerFixture } from '../support/ledger-fixture.js';
import { EUROPOL, LE_SOIR, at, hour, id, recorded, retracted } from '../support/projection-fixtures.js';

/** Six incidents, two sources and their assertions, one event an hour, with two recorded out of order (a server clock set back). */
async function ledger(): Promise<Recorded[]> {
  const fixture = new LedgerFixture();
  await fixture.register(EUROPOL, 'Europol');
  for (const name of ['a', 'b', 'c']) await fixture.open(id(name), `Incident ${name}`);
  await fixture.record(id('a'), recorded('a1'), recorded('a2', { fact: 'x' }));
  await fixture.open(id('d'), 'Incident d', hour(2));
  await fixture.register(LE_SOIR, 'Le Soir');
  await fixture.record(id('b'), recorded('b1'), retracted('b1'));
  await fixture.open(id('e'), 'Incident e');
  await fixture.record(id('d'), at(hour(3), recorded('d1')));
  await fixture.open(id('f'), 'Incident f');
  await fixture.record(id('c'), recorded('c1'), recorded('c2', { fact: 'y' }), retracted('c2'));
  return fixture.recorded();
}

/** Feeds the events to models as the runner does, offering each to the snapshots. */
function applied(events: readonly Recorded[], every: number) {
  const models = new GlobalReadModels();
  const snapshots = new GlobalSnapshots(every, 0);
  events.forEach((event, position) => {
    models.apply(event);
    snapshots.offer(models, position, event.metadata.recordedAt);
  });
  return { models, snapshots };
}

async function* pages(events: readonly Recorded[]): AsyncGenerator<Iterable<Recorded>> {
  yield events;
}

describe('global snapshots for lists "as of"', () => {
  it('folds from the nearest snapshot to what a fold from zero gives, at every instant, clock set back or not', async () => {
    const events = await ledger();
    const { snapshots } = applied(events, 3);
    const instants = Array.from({ length: 2 * events.length + 4 }, (_, i) => new Date(Date.parse(hour(0)) + (i - 2) * 1_800_000));
    let fromSnapshot = 0;
    for (const asOf of instants) {
      const expected = GlobalReadModels.fold(upTo(events, asOf)).toState();
      const start = snapshots.before(asOf);
      if (start) fromSnapshot++;
      const rest = start ? events.slice(start.position + 1) : events;
      const folded = await GlobalReadModels.foldPages(pages(rest), asOf, start?.models);
      expect(folded.toState(), asOf.toISOString()).toEqual(expected);
    }
    // Most instants started from a snapshot, not from position 0.
    expect(fromSnapshot).toBeGreaterThan(instants.length / 2);
  });

  it('leaves a snapshot as it was when a fold starts from it', async () => {
    const events = await ledger();
    const { snapshots } = applied(events, 3);
    const start = snapshots.before(new Date(hour(8)))!;
    const before = start.models.toState();
    await GlobalReadModels.foldPages(pages(events.slice(start.position + 1)), undefined, start.models);
    expect(start.models.toState()).toEqual(before);
  });

  it('answers with the current models only at or after every event recorded, the late ones included', async () => {
    const events = await ledger();
    const { snapshots } = applied(events, 3);
    const latest = Math.max(...events.map((e) => Date.parse(e.metadata.recordedAt)));
    expect(snapshots.coversAll(new Date(latest))).toBe(true);
    expect(snapshots.coversAll(new Date(latest - 1))).toBe(false);
    // Nothing offered yet: nothing is known of what was folded.
    expect(new GlobalSnapshots().coversAll(new Date(latest))).toBe(false);
  });

  it('counts the events a checkpoint restored, by their timestamps in the models, before trusting the current models', async () => {
    const events = await ledger();
    const { models } = applied(events, 3);
    // A runner restored from a checkpoint: the snapshots see only the events after it, here one recorded early.
    const restored = GlobalReadModels.fromState(models.toState())!;
    const snapshots = new GlobalSnapshots(3, 0);
    const late = { ...events[0]!, metadata: { ...events[0]!.metadata, recordedAt: hour(0) } };
    restored.apply(late);
    snapshots.offer(restored, events.length, late.metadata.recordedAt);
    expect(snapshots.coversAll(new Date(hour(1)))).toBe(false);
  });
});
