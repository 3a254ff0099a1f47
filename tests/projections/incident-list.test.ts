import { describe, expect, it } from 'vitest';
import { upTo } from '../../projections/fold.js';
import { GlobalReadModels } from '../../projections/global-models.js';
import { InvalidCursorError } from '../../projections/pagination.js';
import { LedgerFixture } from '../support/ledger-fixture.js';
import { EUROPOL, LE_SOIR, SKYECC, hour, id, recorded, retracted } from '../support/projection-fixtures.js';

async function threeIncidents() {
  const ledger = new LedgerFixture();
  await ledger.register(EUROPOL, 'Europol');
  await ledger.open(id('sky'), 'Sky ECC takedown'); // hour 1
  await ledger.open(id('encro'), 'EncroChat'); // hour 2
  await ledger.open(id('anom'), 'ＡＮＯＭ sting (Trojan Shield)'); // hour 3
  await ledger.record(id('sky'), recorded('a1'), recorded('a2', { fact: 'x' }), retracted('a2')); // hours 4–6
  return ledger;
}

describe('incident list', () => {
  it('lists newest first, with live assertion counts and the revision of each', async () => {
    const models = GlobalReadModels.fold((await threeIncidents()).recorded());
    const { items, nextCursor } = models.listIncidents({ limit: 10 });
    expect(items.map((i) => i.title)).toEqual(['ＡＮＯＭ sting (Trojan Shield)', 'EncroChat', 'Sky ECC takedown']);
    expect(items[2]).toEqual({ id: id('sky'), title: 'Sky ECC takedown', openedAt: hour(1), updatedAt: hour(6), revision: 3, assertionCount: 1 });
    expect(nextCursor).toBeNull();
  });

  it('searches titles ignoring case and compatibility forms', async () => {
    const models = GlobalReadModels.fold((await threeIncidents()).recorded());
    expect(models.listIncidents({ q: 'anom', limit: 10 }).items.map((i) => i.id)).toEqual([id('anom')]);
    expect(models.listIncidents({ q: 'SKY ecc', limit: 10 }).items.map((i) => i.id)).toEqual([id('sky')]);
    expect(models.listIncidents({ q: 'nothing like it', limit: 10 }).items).toEqual([]);
  });

  it('pages with an opaque cursor until the last page', async () => {
    const models = GlobalReadModels.fold((await threeIncidents()).recorded());
    const first = models.listIncidents({ limit: 2 });
    expect(first.items.map((i) => i.id)).toEqual([id('anom'), id('encro')]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = models.listIncidents({ limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [expect.objectContaining({ id: id('sky') })], nextCursor: null });
  });

  it('keeps a page stable when a newer incident arrives between requests', async () => {
    const ledger = await threeIncidents();
    const first = GlobalReadModels.fold(ledger.recorded()).listIncidents({ limit: 1 });
    await ledger.open(id('newer'), 'Newer');
    const second = GlobalReadModels.fold(ledger.recorded()).listIncidents({ limit: 1, cursor: first.nextCursor! });
    expect(second.items.map((i) => i.id)).toEqual([id('encro')]);
  });

  it('pages through search results too', async () => {
    const models = GlobalReadModels.fold((await threeIncidents()).recorded());
    const first = models.listIncidents({ q: 'c', limit: 1 });
    expect(first.items.map((i) => i.id)).toEqual([id('encro')]);
    expect(models.listIncidents({ q: 'c', limit: 1, cursor: first.nextCursor! }).items.map((i) => i.id)).toEqual([id('sky')]);
  });

  it('refuses a cursor it did not issue', async () => {
    const models = GlobalReadModels.fold((await threeIncidents()).recorded());
    expect(() => models.listIncidents({ limit: 1, cursor: 'bm9wZQ' })).toThrow(InvalidCursorError);
  });

  it('as of an instant lists only what existed then, as it stood then', async () => {
    const models = GlobalReadModels.fold(upTo((await threeIncidents()).recorded(), new Date(hour(4))));
    const { items } = models.listIncidents({ limit: 10 });
    expect(items.map((i) => i.id)).toEqual([id('anom'), id('encro'), id('sky')]);
    expect(items[2]).toMatchObject({ revision: 1, assertionCount: 1 });
    expect(GlobalReadModels.fold(upTo((await threeIncidents()).recorded(), new Date(hour(1)))).listIncidents({ limit: 10 }).items).toHaveLength(1);
  });

  it('folded a page at a time, cuts "as of" where upTo cuts, inside a page or between pages', async () => {
    const events = (await threeIncidents()).recorded();
    async function* pagesOf(size: number) {
      for (let i = 0; i < events.length; i += size) yield events.slice(i, i + size);
    }
    for (const size of [1, 2, 3, events.length]) {
      for (const h of [0, 1, 4, 5, 100]) {
        const asOf = new Date(hour(h));
        const paged = await GlobalReadModels.foldPages(pagesOf(size), asOf);
        expect(paged.toState()).toEqual(GlobalReadModels.fold(upTo(events, asOf)).toState());
      }
      expect((await GlobalReadModels.foldPages(pagesOf(size))).toState()).toEqual(GlobalReadModels.fold(events).toState());
    }
  });
});

describe('source directory', () => {
  it('lists sources by name and pages through them', async () => {
    const ledger = new LedgerFixture();
    await ledger.register(SKYECC, 'Sky ECC', 'company');
    await ledger.register(LE_SOIR, 'le Soir', 'newspaper');
    await ledger.register(EUROPOL, 'Europol');
    const models = GlobalReadModels.fold(ledger.recorded());
    const first = models.listSources({ limit: 2 });
    expect(first.items.map((s) => s.name)).toEqual(['Europol', 'le Soir']);
    expect(first.items[0]).toEqual({ id: EUROPOL, name: 'Europol', kind: 'agency', registeredAt: hour(2) });
    expect(models.listSources({ limit: 2, cursor: first.nextCursor! })).toEqual({ items: [expect.objectContaining({ name: 'Sky ECC' })], nextCursor: null });
  });

  it('survives a round trip through its checkpoint state', async () => {
    const models = GlobalReadModels.fold((await threeIncidents()).recorded());
    const restored = GlobalReadModels.fromState(JSON.parse(JSON.stringify(models.toState())));
    expect(restored?.listIncidents({ limit: 10 })).toEqual(models.listIncidents({ limit: 10 }));
    expect(restored?.listSources({ limit: 10 })).toEqual(models.listSources({ limit: 10 }));
    expect(GlobalReadModels.fromState({ version: 0, incidents: [], sources: [] })).toBeUndefined();
  });
});
