import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { timelineView } from '../../projections/timeline.js';
import { foldIncidentModel } from '../../projections/incident-model.js';
import { upTo } from '../../projections/fold.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { ReadModels } from '../../src/app/read-models.js';
import { SqliteCheckpointStore } from '../../src/store/checkpoints-sqlite.js';
import { LedgerFixture } from '../support/ledger-fixture.js';
import { EUROPOL, SKYECC, at, corrected, hour, id, isIncidentRecorded, qty, recorded, retracted } from '../support/projection-fixtures.js';

const SKY = id('sky');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function setUp(options: { start?: boolean; maxIncidents?: number; maxEvents?: number } = {}) {
  const ledger = new LedgerFixture();
  await ledger.register(EUROPOL, 'Europol'); // hour 0
  await ledger.open(SKY, 'Sky ECC'); // hour 1
  await ledger.record(SKY, recorded('a1', { value: qty(170), validTime: '2021-03' })); // hour 2
  const runner = new ProjectionRunner(ledger.store, { checkpoints: new SqliteCheckpointStore(new Database(':memory:')) });
  if (options.start !== false) await runner.start();
  const reads = new ReadModels(ledger.store, runner, options);
  cleanups.push(async () => {
    reads.close();
    await runner.close();
  });
  return { ledger, runner, reads };
}

describe('read models: current reads', () => {
  it('answers from its cache after the first read', async () => {
    const { ledger, reads } = await setUp();
    expect((await reads.timeline(SKY))?.entries).toHaveLength(1);
    const before = ledger.store.reads.stream;
    await reads.timeline(SKY);
    await reads.facts(SKY);
    expect(ledger.store.reads.stream).toBe(before);
  });

  it('shows a write as soon as the command handler applies it, before the runner catches up', async () => {
    const { ledger, reads } = await setUp({ start: false });
    await reads.facts(SKY);
    const appended = await ledger.record(SKY, recorded('a2', { sourceId: SKYECC, value: qty(999) }));
    reads.apply(appended);
    reads.apply(appended); // idempotent by revision
    const facts = await reads.facts(SKY);
    expect(facts).toMatchObject({ revision: 2, facts: [{ status: 'disputed' }] });
    expect(facts?.facts[0]?.assertions).toHaveLength(2);
  });

  it('follows the runner for writes made elsewhere', async () => {
    const { ledger, runner, reads } = await setUp();
    await reads.facts(SKY);
    const [appended] = await ledger.record(SKY, retracted('a1'));
    await runner.waitFor(appended!.position);
    expect(await reads.facts(SKY)).toMatchObject({ revision: 2, facts: [] });
  });

  it('reloads the stream when it sees a gap', async () => {
    const { ledger, reads } = await setUp({ start: false });
    await reads.facts(SKY);
    await ledger.record(SKY, recorded('a2', { value: qty(1) })); // never applied
    const later = await ledger.record(SKY, recorded('a3', { value: qty(2) }));
    reads.apply(later);
    const before = ledger.store.reads.stream;
    expect((await reads.facts(SKY))?.revision).toBe(3);
    expect(ledger.store.reads.stream).toBe(before + 1);
  });

  it('names a source registered after the view was first built', async () => {
    const { ledger, runner, reads } = await setUp();
    const [appended] = await ledger.record(SKY, recorded('a2', { sourceId: SKYECC, value: qty(1) }));
    await runner.waitFor(appended!.position);
    expect((await reads.disputes(SKY))?.disputes[0]?.positions[1]?.sourceName).toBe(SKYECC);
    const [source] = await ledger.register(SKYECC, 'Sky ECC', 'company');
    await runner.waitFor(source!.position);
    expect((await reads.disputes(SKY))?.disputes[0]?.positions[1]?.sourceName).toBe('Sky ECC');
  });

  it('knows nothing of an incident that does not exist', async () => {
    const { reads } = await setUp();
    expect(await reads.incident(id('nope'))).toBeUndefined();
    expect(await reads.timeline(id('nope'))).toBeUndefined();
    expect(await reads.factHistory(SKY, 'no.such.fact')).toBeUndefined();
    expect(await reads.assertionHistory(SKY, id('a9'))).toBeUndefined();
  });

  it('keeps at most the configured number of incidents in memory', async () => {
    const { ledger, reads } = await setUp({ maxIncidents: 1 });
    await ledger.open(id('other'), 'Other');
    await reads.incident(SKY);
    await reads.incident(id('other'));
    expect(reads.cachedIncidents).toBe(1);
  });

  it('lets the least recently read incidents go once the events they hold pass the bound, keeping the one just read', async () => {
    // SKY holds 2 events; each other incident 1.
    const { ledger, reads } = await setUp({ maxEvents: 3 });
    await ledger.open(id('b'), 'B');
    await ledger.open(id('c'), 'C');
    await reads.incident(SKY);
    await reads.incident(id('b'));
    expect(reads.cachedIncidents).toBe(2);
    await reads.incident(id('c'));
    expect(reads.cachedIncidents).toBe(2);
    // SKY went first; B and C stay, and a read of SKY loads it again.
    const before = ledger.store.reads.stream;
    await reads.incident(id('b'));
    expect(ledger.store.reads.stream).toBe(before);
    await reads.incident(SKY);
    expect(ledger.store.reads.stream).toBe(before + 1);
    const alone = await setUp({ maxEvents: 1 });
    await alone.reads.incident(SKY);
    expect(alone.reads.cachedIncidents).toBe(1);
  });
});

describe('read models: as of', () => {
  it('shows the value before a correction with the revision then, and the corrected one after', async () => {
    const { ledger, runner, reads } = await setUp();
    const [fix] = await ledger.record(SKY, at(hour(10), corrected('a1', { value: qty(170000) })));
    await runner.waitFor(fix!.position);
    const before = await reads.timeline(SKY, new Date(hour(5)));
    const after = await reads.timeline(SKY, new Date(hour(11)));
    expect(before).toMatchObject({ revision: 1, asOf: hour(5) });
    expect(before?.entries[0]?.assertions[0]?.value).toEqual(qty(170));
    expect(after).toMatchObject({ revision: 2, asOf: hour(11) });
    expect(after?.entries[0]?.assertions[0]?.value).toEqual(qty(170000));
    expect((await reads.timeline(SKY))?.asOf).toBeNull();
    expect((await reads.factHistory(SKY, 'users.worldwide', new Date(hour(5))))?.revisions).toHaveLength(1);
  });

  it('reads the stream again once to index it for "as of" reads, however many ask at once, and keeps what arrives', async () => {
    const { ledger, runner, reads } = await setUp();
    const first = await ledger.record(SKY, at(hour(10), corrected('a1', { value: qty(170000) })));
    await runner.waitFor(first[0]!.position);
    await reads.timeline(SKY);
    const before = ledger.store.reads.stream;
    // Current reads never index; the first "as of" reads, together, read the stream once.
    const answers = await Promise.all([hour(5), hour(11), hour(2)].map((h) => reads.timeline(SKY, new Date(h))));
    expect(answers.map((a) => a?.revision)).toEqual([1, 2, 1]);
    expect(ledger.store.reads.stream).toBe(before + 1);
    // Events after indexing are kept, so "as of" reads between them need no read of the store.
    const later = await ledger.record(SKY, at(hour(20), retracted('a1')), at(hour(21), recorded('a3', { value: qty(5), validTime: '2021-04' })));
    await runner.waitFor(later.at(-1)!.position);
    expect((await reads.timeline(SKY, new Date(hour(20))))).toMatchObject({ revision: 3, entries: [] });
    expect((await reads.timeline(SKY, new Date(hour(22))))?.entries).toHaveLength(1);
    expect(ledger.store.reads.stream).toBe(before + 1);
  });

  it('memoises an earlier revision\'s views once it is read twice in a row, not reads scattered over instants', async () => {
    const { ledger, runner, reads } = await setUp();
    const later = await ledger.record(SKY, at(hour(10), corrected('a1', { value: qty(170000) })), at(hour(12), recorded('a2', { value: qty(9), validTime: '2021-04' })));
    await runner.waitFor(later.at(-1)!.position);
    const entriesAt = async (h: string) => (await reads.timeline(SKY, new Date(h)))!.entries;
    // Revision 1 (hour 5) and revision 2 (hour 11) taken in turns: none is memoised.
    const scattered = [await entriesAt(hour(5)), await entriesAt(hour(11)), await entriesAt(hour(5)), await entriesAt(hour(11))];
    expect(new Set(scattered).size).toBe(4);
    // Read again straight away, revision 2 is memoised: the next reads of it share its views.
    const again = await entriesAt(hour(11.5));
    expect(again).not.toBe(scattered[3]);
    expect(await entriesAt(hour(11))).toBe(again);
    expect(await entriesAt(hour(10))).toBe(again);
    expect(again).toEqual(scattered[1]);
  });

  it('before the incident was opened: no incident, and views of revision -1', async () => {
    const { reads } = await setUp();
    expect(await reads.incident(SKY, new Date(hour(0)))).toBeUndefined();
    expect(await reads.facts(SKY, new Date(hour(0)))).toMatchObject({ revision: -1, facts: [] });
    expect(await reads.incident(SKY, new Date(hour(1)))).toMatchObject({ id: SKY, revision: 0, assertionCount: 0, asOf: hour(1) });
  });

  it('as of any instant, gives the same views as folding from zero up to it', async () => {
    const { ledger, runner, reads } = await setUp();
    // 30 steps: recordings, with a correction and a retraction of earlier ones mixed in.
    const steps = Array.from({ length: 30 }, (_, i) =>
      i % 5 === 4
        ? retracted(`n${i - 4}`)
        : i % 5 === 3
          ? corrected(`n${i - 2}`, { value: qty(i), fact: i % 2 ? 'users.monitored' : 'users.worldwide' })
          : recorded(`n${i}`, { value: qty(i), sourceId: i % 2 ? SKYECC : EUROPOL, validTime: `2021-0${(i % 9) + 1}` }),
    );
    const appended = await ledger.record(SKY, ...steps);
    await runner.waitFor(appended.at(-1)!.position);
    const stream = ledger.recorded().filter(isIncidentRecorded).filter((e) => e.stream === `incident-${SKY}`);
    const check = async (hours: number) => {
      const instant = new Date(hour(hours));
      const expected = timelineView(foldIncidentModel(upTo(stream, instant)), { incidentId: SKY, sources: runner.models.sources, asOf: instant });
      expect(await reads.timeline(SKY, instant), `as of hour ${hours}`).toEqual(expected);
      expect((await reads.facts(SKY, instant))?.revision).toBe(expected.revision);
    };
    for (let hours = 0; hours <= 40; hours++) await check(hours);
    for (let hours = 40; hours >= 0; hours--) await check(hours);
  });
});

describe('read models: lists', () => {
  it('lists incidents now and as of an instant, with search and pages', async () => {
    const { ledger, runner, reads } = await setUp();
    const [other] = await ledger.open(id('encro'), 'EncroChat');
    await runner.waitFor(other!.position);
    expect((await reads.listIncidents({ limit: 10 })).incidents.map((i) => i.title)).toEqual(['EncroChat', 'Sky ECC']);
    expect((await reads.listIncidents({ limit: 10, asOf: new Date(hour(2)) })).incidents.map((i) => i.title)).toEqual(['Sky ECC']);
    expect((await reads.listIncidents({ limit: 10, q: 'ENCRO' })).incidents.map((i) => i.title)).toEqual(['EncroChat']);
    const first = await reads.listIncidents({ limit: 1 });
    expect(first).toMatchObject({ asOf: null, nextCursor: expect.any(String) });
    expect((await reads.listIncidents({ limit: 1, cursor: first.nextCursor! })).incidents.map((i) => i.title)).toEqual(['Sky ECC']);
  });

  it('lists sources, and none as of before the first was registered', async () => {
    const { reads } = await setUp();
    expect((await reads.listSources({ limit: 10 })).sources.map((s) => s.name)).toEqual(['Europol']);
    expect((await reads.listSources({ limit: 10, asOf: new Date('2023-01-01T00:00:00Z') })).sources).toEqual([]);
  });
});
