import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IncidentEvent, Value } from '../../events/index.js';
import { disputesView } from '../../projections/disputes.js';
import { currentAssertions } from '../../projections/fact-analysis.js';
import { factsView } from '../../projections/facts-view.js';
import { assertionHistoryView, factHistoryView } from '../../projections/history.js';
import { foldIncidentModel, ModelDraft, type IncidentModel } from '../../projections/incident-model.js';
import { IncidentReplay } from '../../projections/incident-replay.js';
import { incidentView } from '../../projections/incident-view.js';
import { PersistentMap, hashKey } from '../../projections/persistent-map.js';
import { timelineView } from '../../projections/timeline.js';
import { EUROPOL, LE_SOIR, SKYECC, at, chronicle, ctx, hour, id, opened } from '../support/projection-fixtures.js';

const FACTS = ['users.worldwide', 'users.monitored', 'searches'];
const EPOCH_MS = Date.parse('2021-03-10T00:00:00.000Z');
const SOURCES = [EUROPOL, SKYECC, LE_SOIR];
const VALUES: Value[] = [
  { type: 'quantity', value: 170000, approximate: true },
  { type: 'quantity', value: 100 },
  { type: 'quantity', min: 1e8, max: 1e9 },
  { type: 'date', value: '2021-03-09' },
  { type: 'date', value: '2021-02~' },
  { type: 'boolean', value: true },
];

/** Random but well-formed histories: each op picks among what exists at that point. */
const op = fc.record({ kind: fc.nat(9), a: fc.nat(50), b: fc.nat(50), c: fc.nat(50) });
function history(ops: Array<{ kind: number; a: number; b: number; c: number }>): IncidentEvent[] {
  const events: IncidentEvent[] = [opened()];
  const live: string[] = [];
  let n = 0;
  for (const { kind, a, b, c } of ops) {
    if (kind < 5 || live.length === 0) {
      const name = `n${n++}`;
      live.push(name);
      events.push({
        type: 'AssertionRecorded',
        data: {
          assertionId: id(name),
          fact: FACTS[a % FACTS.length]!,
          value: VALUES[b % VALUES.length]!,
          sourceId: SOURCES[c % SOURCES.length]!,
          ...(c % 4 === 0 ? { validTime: `2021-0${(c % 9) + 1}` } : {}),
        },
      });
    } else if (kind < 7) {
      const target = live[a % live.length]!;
      events.push({
        type: 'AssertionCorrected',
        data: { assertionId: id(target), reason: 'fix', ...(b % 2 ? { fact: FACTS[c % FACTS.length]! } : { value: VALUES[c % VALUES.length]! }) },
      });
    } else if (kind < 9) {
      const [target] = live.splice(a % live.length, 1);
      events.push({ type: 'AssertionRetracted', data: { assertionId: id(target!), reason: 'withdrawn' } });
    } else {
      events.push({ type: 'FactAssessed', data: { fact: FACTS[a % FACTS.length]!, preferred: [id(live[b % live.length]!)], rationale: 'ruling' } });
    }
  }
  return events;
}

const everyView = (model: IncidentModel, assertionIds: string[]) => ({
  incident: incidentView(model, ctx()),
  facts: factsView(model, ctx()),
  timeline: timelineView(model, ctx()),
  disputes: disputesView(model, ctx()),
  factHistories: FACTS.map((f) => factHistoryView(model, f, ctx())),
  assertionHistories: assertionIds.map((a) => assertionHistoryView(model, a, ctx())),
});

describe('incident replay', () => {
  it('gives, at every revision, exactly the views of a fold from zero up to it', () =>
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.boolean(), fc.integer({ min: 1, max: 9 }), (ops, readLatestFirst, snapshotEvery) => {
        const events = chronicle(...history(ops));
        // Snapshots every few events, so reads fold over snapshots as they do on long streams.
        const replay = new IncidentReplay(snapshotEvery);
        for (const e of events) replay.offer(e);
        const ids = events.flatMap((e) => (e.type === 'AssertionRecorded' ? [e.data.assertionId] : []));
        // Reading the latest first or last must not matter: the replay memoises as it goes.
        if (readLatestFirst) everyView(replay.modelAt(), ids);
        replay.index(events);
        for (let r = -1; r < events.length; r++) {
          expect(everyView(replay.modelAt(r), ids)).toEqual(everyView(foldIncidentModel(events.slice(0, r + 1)), ids));
        }
      }),
      { numRuns: 150 },
    ));

  it('keeps no events until indexed; once indexed, keeps every event offered and every snapshot', () =>
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.nat(40), fc.integer({ min: 1, max: 6 }), fc.boolean(), (ops, indexAfter, snapshotEvery, extra) => {
        const events = chronicle(...history(ops));
        const replay = new IncidentReplay(snapshotEvery);
        const ids = events.flatMap((e) => (e.type === 'AssertionRecorded' ? [e.data.assertionId] : []));
        const indexAt = Math.min(indexAfter, events.length - 1);
        for (const [i, e] of events.entries()) {
          replay.offer(e);
          // The latest is always there; an earlier revision only once indexed.
          expect(everyView(replay.modelAt(), ids)).toEqual(everyView(foldIncidentModel(events.slice(0, i + 1)), ids));
          if (i > 0 && !replay.indexed) expect(() => replay.modelAt(i - 1)).toThrow(/index the stream first/);
          if (i === indexAt) {
            // The store's copy of the stream may run past the replay: those events are left for offer.
            replay.index(extra ? events : events.slice(0, i + 1));
            expect(replay.indexed).toBe(true);
          }
        }
        expect(replay.snapshotModels.map((m) => m.revision)).toEqual(replay.snapshotModels.map((_, k) => (k + 1) * snapshotEvery - 1));
        expect(replay.snapshotModels).toHaveLength(Math.floor(events.length / snapshotEvery));
        for (let r = -1; r < events.length; r++) {
          expect(everyView(replay.modelAt(r), ids)).toEqual(everyView(foldIncidentModel(events.slice(0, r + 1)), ids));
        }
      }),
      { numRuns: 150 },
    ));

  it('never changes a model it handed out: a draft changes its records in place only until it is next frozen', () =>
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }), (ops, freezes) => {
        const events = chronicle(...history(ops));
        const ids = events.flatMap((e) => (e.type === 'AssertionRecorded' ? [e.data.assertionId] : []));
        const draft = new ModelDraft();
        const handedOut: Array<{ model: IncidentModel; views: ReturnType<typeof everyView> }> = [];
        for (const [i, e] of events.entries()) {
          draft.apply(e);
          if (freezes[i % freezes.length]) {
            // Views memoise on the records they read: what a reader saw then.
            const model = draft.freeze();
            handedOut.push({ model, views: everyView(model, ids) });
          }
        }
        expect(everyView(draft.freeze(), ids)).toEqual(everyView(foldIncidentModel(events), ids));
        for (const { model, views } of handedOut) {
          expect(everyView(model, ids)).toEqual(views);
          expect(views).toEqual(everyView(foldIncidentModel(events.slice(0, model.revision + 1)), ids));
        }
      }),
      { numRuns: 200 },
    ));

  it('refuses to index from events that do not reach its revision or run out of order, and stays as it was', () => {
    const events = chronicle(...history([{ kind: 0, a: 0, b: 0, c: 0 }, { kind: 0, a: 1, b: 1, c: 1 }, { kind: 0, a: 2, b: 2, c: 2 }]));
    const replay = new IncidentReplay(2);
    for (const e of events) replay.offer(e);
    expect(() => replay.index(events.slice(0, 3))).toThrow(/reach revision 2, the replay 3/);
    expect(() => replay.index([events[0]!, events[2]!, events[1]!, events[3]!])).toThrow(/revision 2 where 1 was expected/);
    expect(replay.indexed).toBe(false);
    expect(() => replay.modelAt(1)).toThrow(/index the stream first/);
    replay.index(events);
    expect(replay.modelAt(1).revision).toBe(1);
  });

  it("keeps each fact's current assertions: every source's latest live one, in recording order", () =>
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const events = chronicle(...history(ops));
        for (let r = 0; r < events.length; r++) {
          const model = foldIncidentModel(events.slice(0, r + 1));
          for (const [key, fact] of model.facts) {
            // The definition, from every assertion the model holds.
            const latest = new Map<string, string>();
            const all = [...model.assertions.values()].filter((a) => a.fact === key && !a.retracted);
            for (const a of all.sort((x, y) => x.recordedRevision - y.recordedRevision)) latest.set(a.sourceId, a.id);
            const expected = all.filter((a) => latest.get(a.sourceId) === a.id).map((a) => a.id);
            expect(currentAssertions(model, fact).map((a) => a.id)).toEqual(expected);
          }
        }
      }),
      { numRuns: 100 },
    ));

  it('is idempotent by revision and refuses a gap', () => {
    const events = chronicle(opened(), at(hour(1), { type: 'AssertionRetracted', data: { assertionId: id('x'), reason: 'r' } }), opened());
    const replay = new IncidentReplay();
    expect(replay.offer(events[0]!)).toBe('applied');
    expect(replay.offer(events[0]!)).toBe('duplicate');
    expect(replay.offer(events[2]!)).toBe('gap');
    expect(replay.revision).toBe(0);
  });

  it('finds the revision as of an instant whatever form recordedAt takes, in order or not', () =>
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom('ms', 's', 'us')), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.integer({ min: -2, max: 42 }), fc.boolean()), { minLength: 1, maxLength: 10 }),
        (steps, sorted, instants) => {
          const ordered = sorted ? [...steps].sort((a, b) => a[0] - b[0]) : steps;
          // Three writings of an instant: Date#toISOString's, without the milliseconds, with microseconds.
          const written = ordered.map(([minute, form]) => {
            const iso = new Date(EPOCH_MS + minute * 60_000).toISOString();
            return form === 'ms' ? iso : form === 's' ? iso.replace('.000Z', 'Z') : iso.replace('Z', '123Z');
          });
          const events = chronicle(...written.map((recordedAt) => at(recordedAt, opened())));
          const replay = new IncidentReplay();
          for (const e of events) replay.offer(e);
          for (const [minute, between] of instants) {
            // On an event's own instant (recorded at asOf counts as recorded by then), or between two.
            const asOf = new Date(EPOCH_MS + minute * 60_000 + (between ? 30_000 : 0));
            // The definition: the event before the first one recorded after the instant (as upTo stops).
            const first = written.findIndex((w) => Date.parse(w) > asOf.getTime());
            expect(replay.revisionAt(asOf)).toBe(first === -1 ? events.length - 1 : first - 1);
          }
        },
      ),
    ));

  it('finds the revision as of an instant, even when the clock went backwards', () => {
    const events = chronicle(at(hour(1), opened()), at(hour(3), opened()), at(hour(2), opened()), at(hour(5), opened()));
    const replay = new IncidentReplay();
    for (const e of events) replay.offer(e);
    // Like upTo: stop at the first event recorded after the instant.
    expect(replay.revisionAt(new Date(hour(0)))).toBe(-1);
    expect(replay.revisionAt(new Date(hour(2)))).toBe(0);
    expect(replay.revisionAt(new Date(hour(4)))).toBe(2);
    expect(replay.revisionAt(new Date(hour(9)))).toBe(3);
    expect(replay.revisionAt()).toBe(3);
  });
});

describe('persistent map', () => {
  it('behaves like a Map, and every earlier version stays as it was', () =>
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.integer()), { maxLength: 200 }), fc.nat(200), (writes, cut) => {
        const editor = PersistentMap.empty<number>().edit();
        const reference = new Map<string, number>();
        let early: PersistentMap<number> | undefined;
        let earlyCopy: Map<string, number> | undefined;
        writes.forEach(([key, value], i) => {
          if (i === cut) {
            early = editor.freeze();
            earlyCopy = new Map(reference);
          }
          editor.set(key, value);
          reference.set(key, value);
        });
        const final = editor.freeze();
        expect(new Map(final)).toEqual(reference);
        const visited = new Map<string, number>();
        final.forEach((value, key) => visited.set(key, value));
        expect(visited).toEqual(reference);
        expect(final.size).toBe(reference.size);
        for (const [key, value] of reference) expect(final.get(key)).toBe(value);
        if (early && earlyCopy) expect(new Map(early)).toEqual(earlyCopy);
      }),
    ));

  it('keeps keys whose hashes collide apart, in every version', () => {
    // Find two keys with one 32-bit hash (birthday search: about 2^16 tries).
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const key = `k${i}`;
      const other = seen.get(hashKey(key));
      if (other !== undefined) pair = [other, key];
      else seen.set(hashKey(key), key);
    }
    const [a, b] = pair;
    expect(hashKey(a)).toBe(hashKey(b));
    const editor = PersistentMap.empty<number>().edit();
    editor.set(a, 1);
    const one = editor.freeze();
    editor.set(b, 2);
    editor.set('elsewhere', 3);
    const two = editor.freeze();
    editor.set(a, 4);
    const three = editor.freeze();
    expect([one.get(a), one.get(b), one.size]).toEqual([1, undefined, 1]);
    expect([two.get(a), two.get(b), two.size]).toEqual([1, 2, 3]);
    expect([three.get(a), three.get(b), three.get('elsewhere'), three.size]).toEqual([4, 2, 3, 3]);
    expect(new Map(three)).toEqual(new Map([[a, 4], [b, 2], ['elsewhere', 3]]));
  });
});
