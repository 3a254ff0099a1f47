import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../../events/index.js';
import { Ledger } from '../../src/app/ledger.js';
import { ConcurrencyError, StoreUnavailableError } from '../../src/store/errors.js';
import type { EventStore, ExpectedRevision, NewEvent, ReadStreamOptions } from '../../src/store/port.js';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import { InMemoryEventStoreFake } from '../support/in-memory-event-store.fake.js';
import { EUROPOL, INCIDENT, id, recorded } from '../support/incident-fixtures.js';

const ctx = { actor: 'tester', correlationId: 'test' };
const OTHER_INCIDENT = id('other');

const open = (incidentId = INCIDENT) => ({ type: 'OpenIncident' as const, data: { incidentId, title: 'Sky ECC' } });
const record = (name: string) => ({ type: 'RecordAssertion' as const, data: (recorded(name) as Extract<IncidentEvent, { type: 'AssertionRecorded' }>).data });
const retract = (name: string) => ({ type: 'RetractAssertion' as const, data: { assertionId: id(name), reason: 'recorded in error' } });
const correct = (name: string) => ({
  type: 'CorrectAssertion' as const,
  data: { assertionId: id(name), reason: 'typo', value: { type: 'quantity' as const, value: 170000, approximate: false } },
});

/** The fake store, with a hook that runs once before the next append: a failure, or another writer slipping in. */
class StoreWithHook extends InMemoryEventStoreFake {
  beforeNextAppend: (() => Promise<void>) | undefined;

  override async append(stream: string, events: NewEvent[], expected?: ExpectedRevision) {
    const hook = this.beforeNextAppend;
    this.beforeNextAppend = undefined;
    await hook?.();
    return super.append(stream, events, expected);
  }
}

/** The fake store, counting the source lookups too (it counts stream reads itself). */
class CountingStore extends InMemoryEventStoreFake {
  sourceReads = 0;

  override async streamRevision(stream: string) {
    if (stream.startsWith('source-')) this.sourceReads++;
    return super.streamRevision(stream);
  }
}

/** The fake store, where another process writes right after our ledger reads the incident (between its read and its append). */
class RacingStore extends InMemoryEventStoreFake {
  racesLeft = 0;
  private racing = false;
  private raced = 0;
  other: Ledger | undefined;

  override async readStream(stream: string, options?: ReadStreamOptions) {
    const events = await super.readStream(stream, options);
    if (this.racesLeft > 0 && !this.racing && stream.startsWith('incident-') && this.other) {
      this.racesLeft--;
      this.racing = true;
      try {
        await this.other.handle(INCIDENT, record(`r${++this.raced}`), ctx);
      } finally {
        this.racing = false;
      }
    }
    return events;
  }
}

/** A ledger on `store` with Europol registered and the incident opened. */
async function ledgerOn(store: EventStore, options: { maxCachedStates?: number } = {}): Promise<Ledger> {
  const ledger = new Ledger(store, undefined, options.maxCachedStates);
  await ledger.registerSource({ type: 'RegisterSource', data: { sourceId: EUROPOL, name: 'Europol', kind: 'agency' } }, ctx);
  await ledger.handle(INCIDENT, open(), ctx);
  return ledger;
}

describe('the ledger deciding on its cached state', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('folds in what another process appended since its last command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-app-'));
    dirs.push(dir);
    const ours = new SqliteEventStore(join(dir, 'ledger.db'));
    const theirs = new SqliteEventStore(join(dir, 'ledger.db'));
    try {
      const ledger = await ledgerOn(ours);
      await ledger.handle(INCIDENT, record('a1'), ctx);
      await new Ledger(theirs).handle(INCIDENT, record('b1'), ctx);

      await expect(ledger.handle(INCIDENT, retract('b1'), ctx)).resolves.toMatchObject({ revision: 3 });
      await expect(ledger.handle(INCIDENT, record('b1'), ctx)).rejects.toMatchObject({ code: 'assertion-already-exists' });
    } finally {
      await ours.close();
      await theirs.close();
    }
  });

  it('is not advanced by events the store failed to append', async () => {
    const store = new StoreWithHook();
    const ledger = await ledgerOn(store);
    store.beforeNextAppend = async () => {
      throw new StoreUnavailableError('disk gone');
    };
    await expect(ledger.handle(INCIDENT, record('a1'), ctx)).rejects.toBeInstanceOf(StoreUnavailableError);

    // Had the refused event been folded in, this would be refused as a duplicate.
    await expect(ledger.handle(INCIDENT, record('a1'), ctx)).resolves.toMatchObject({ revision: 1 });
    await expect(ledger.handle(INCIDENT, retract('a0'), ctx)).rejects.toMatchObject({ code: 'assertion-not-found' });
  });

  it('re-decides a command that lost a race on the winner’s events, not on its own', async () => {
    const store = new StoreWithHook();
    const ledger = await ledgerOn(store);
    store.beforeNextAppend = () => new Ledger(store).handle(INCIDENT, record('a1'), ctx).then(() => undefined);

    await expect(ledger.handle(INCIDENT, record('a1'), ctx)).rejects.toMatchObject({ code: 'assertion-already-exists' });
    await expect(ledger.handle(INCIDENT, retract('a1'), ctx)).resolves.toMatchObject({ revision: 2 });
  });

  it('refuses a stale If-Match without advancing its state', async () => {
    const store = new StoreWithHook();
    const ledger = await ledgerOn(store);
    await ledger.handle(INCIDENT, record('a1'), ctx);

    await expect(ledger.handle(INCIDENT, record('a2'), { ...ctx, expectedRevision: 0 })).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(ledger.handle(INCIDENT, record('a2'), { ...ctx, expectedRevision: 1 })).resolves.toMatchObject({ revision: 2 });
  });

  it('lets commands arriving at once on one incident each decide on the one before', async () => {
    const ledger = await ledgerOn(new InMemoryEventStoreFake());
    await ledger.handle(INCIDENT, record('a1'), ctx);

    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => ledger.handle(INCIDENT, retract('a1'), ctx)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o.reason as { code?: string }).code)).toEqual(Array(9).fill('assertion-retracted'));
  });

  it('reads nothing back for commands on an incident whose state it kept up to date itself', async () => {
    const store = new CountingStore();
    const ledger = await ledgerOn(store);
    await ledger.handle(INCIDENT, record('a1'), ctx);
    const before = store.reads.stream;
    const sourcesBefore = store.sourceReads;

    await ledger.handle(INCIDENT, record('a2'), ctx);
    await ledger.handle(INCIDENT, retract('a1'), ctx);
    await expect(ledger.handle(INCIDENT, retract('a1'), ctx)).rejects.toMatchObject({ code: 'assertion-retracted' });
    // The appends' own events advanced the state; only the refusal was checked on a fresh read.
    expect(store.reads.stream - before).toBe(1);
    // Europol was looked up for a1 and is known since: a2 asks nothing.
    expect(store.sourceReads - sourcesBefore).toBe(0);
  });

  it('does not count a decision on a stale kept state among its attempts', async () => {
    const store = new RacingStore();
    const ledger = await ledgerOn(store);
    await ledger.handle(INCIDENT, record('a1'), ctx);
    store.other = new Ledger(store);
    // Another process writes once: the kept state (revision 1) is stale (the stream is at 2).
    await store.other.handle(INCIDENT, record('b0'), ctx);

    // Then another process writes after each of our next four reads: the decision on the kept
    // state and four decisions on fresh reads lose, and the fifth decision on a read lands.
    store.racesLeft = 4;
    await expect(ledger.handle(INCIDENT, record('a2'), ctx)).resolves.toMatchObject({ revision: 7 });
  });

  it('appends nothing decided on a stale kept state', async () => {
    const store = new InMemoryEventStoreFake();
    const ledger = await ledgerOn(store);
    await ledger.handle(INCIDENT, record('a1'), ctx);
    await new Ledger(store).handle(INCIDENT, retract('a1'), ctx);

    // The kept state still has a1 live: the correction would be accepted on it.
    await expect(ledger.handle(INCIDENT, correct('a1'), ctx)).rejects.toMatchObject({ code: 'assertion-retracted' });
    expect(store.events.filter((e) => e.stream === `incident-${INCIDENT}`).map((e) => e.type)).toEqual(['IncidentOpened', 'AssertionRecorded', 'AssertionRetracted']);
    await expect(ledger.handle(INCIDENT, retract('a1'), ctx)).rejects.toMatchObject({ code: 'assertion-retracted' });
  });

  it('compares an If-Match with the revision just read, not the kept one', async () => {
    const store = new InMemoryEventStoreFake();
    const ledger = await ledgerOn(store);
    await ledger.handle(INCIDENT, record('a1'), ctx);
    await new Ledger(store).handle(INCIDENT, record('b1'), ctx);

    // The client saw revision 1 (what this ledger kept); the stream is at 2: a 409, nothing appended.
    await expect(ledger.handle(INCIDENT, record('a2'), { ...ctx, expectedRevision: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.streamRevision(`incident-${INCIDENT}`)).toBe(2);
    await expect(ledger.handle(INCIDENT, record('a2'), { ...ctx, expectedRevision: 2 })).resolves.toMatchObject({ revision: 3 });
  });

  it('loads an evicted incident again in full', async () => {
    const ledger = await ledgerOn(new InMemoryEventStoreFake(), { maxCachedStates: 1 });
    await ledger.handle(INCIDENT, record('a1'), ctx);
    await ledger.handle(OTHER_INCIDENT, open(OTHER_INCIDENT), ctx);
    await ledger.handle(OTHER_INCIDENT, record('b1'), ctx);

    await expect(ledger.handle(INCIDENT, record('a1'), ctx)).rejects.toMatchObject({ code: 'assertion-already-exists' });
    await expect(ledger.handle(INCIDENT, retract('a1'), ctx)).resolves.toMatchObject({ revision: 2 });
    await expect(ledger.handle(OTHER_INCIDENT, retract('b1'), ctx)).resolves.toMatchObject({ revision: 2 });
  });
});
