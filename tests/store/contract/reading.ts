import { beforeAll, describe, expect, it } from 'vitest';
import { collect, expectStrictlyIncreasing, newStream, readAllOf, revisions, someEvents } from '../fixtures.js';
import type { StoredEvent } from '../../../events/index.js';
import { readAllInPages } from '../../../src/store/read-all-pages.js';
import type { ContractContext } from './context.js';

/** The contract, reading one stream and $all. */
export function describeReading(t: ContractContext): void {
  describe('reading a stream', () => {
    let stream: string;
    beforeAll(async () => {
      stream = await t.streamWith(5);
    });

    it('reads forwards from the start by default', async () => {
      expect(revisions(await t.store.readStream(stream))).toEqual([0, 1, 2, 3, 4]);
    });

    it('reads forwards from a revision, at most maxCount events', async () => {
      expect(revisions(await t.store.readStream(stream, { fromRevision: 2, maxCount: 2 }))).toEqual([2, 3]);
    });

    it('reads backwards from the last event', async () => {
      expect(revisions(await t.store.readStream(stream, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
    });

    it('reads backwards from a revision, at most maxCount events', async () => {
      const events = await t.store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 });
      expect(revisions(events)).toEqual([3, 2]);
    });

    it('reads nothing past the end', async () => {
      expect(await t.store.readStream(stream, { fromRevision: 5 })).toEqual([]);
    });

    it('reads an unknown stream as empty', async () => {
      expect(await t.store.readStream(newStream())).toEqual([]);
      expect(await t.store.readStream(newStream(), { direction: 'backwards' })).toEqual([]);
    });

    it('reads back exactly what append returned', async () => {
      const fresh = newStream();
      const result = await t.store.append(fresh, someEvents(3));
      expect(await t.store.readStream(fresh)).toEqual(result.events);
    });
  });

  describe('stream revision', () => {
    it('is -1 for a stream that does not exist', async () => {
      expect(await t.store.streamRevision(newStream())).toBe(-1);
    });

    it('is the revision of the last event', async () => {
      const stream = await t.streamWith(3);
      expect(await t.store.streamRevision(stream)).toBe(2);
    });
  });

  describe('reading $all', () => {
    it('reads events in commit order, across streams, after a given position', async () => {
      const start = await t.store.headPosition();
      const [a, b] = [newStream(), newStream()];
      await t.store.append(a, someEvents(2, 'a'));
      const b0 = await t.store.append(b, someEvents(2, 'b'));
      await t.store.append(a, someEvents(1, 'a'));
      const all = await readAllOf(t.store, [a, b], start);
      expect(all.map((e) => `${e.stream === a ? 'a' : 'b'}${e.revision}`)).toEqual(['a0', 'a1', 'b0', 'b1', 'a2']);
      expectStrictlyIncreasing(all.map((e) => e.position));
      const afterB0 = await readAllOf(t.store, [a, b], b0.events[0]!.position);
      expect(afterB0.map((e) => `${e.stream === a ? 'a' : 'b'}${e.revision}`)).toEqual(['b1', 'a2']);
    });

    it('yields the stored events as append returned them', async () => {
      const start = await t.store.headPosition();
      const stream = newStream();
      const result = await t.store.append(stream, someEvents(3));
      expect(await readAllOf(t.store, [stream], start)).toEqual(result.events);
    });

    it('stops after maxCount events', async () => {
      const start = await t.store.headPosition();
      await t.store.append(newStream(), someEvents(3));
      const limited = await collect(t.store.readAll({ after: start, maxCount: 2 }));
      const unlimited = await collect(t.store.readAll({ after: start }));
      expect(limited).toHaveLength(2);
      expect(limited.map((e) => e.position)).toEqual(unlimited.slice(0, 2).map((e) => e.position));
      for (const e of limited) expect(e.position).toBeGreaterThan(start);
    });

    it('reads $all in pages (readAllInPages) as readAll reads it, stopping after maxCount', async () => {
      const start = await t.store.headPosition();
      await t.store.append(newStream(), someEvents(3));
      await t.store.append(newStream(), someEvents(2));
      const paged: StoredEvent[] = [];
      for await (const page of readAllInPages(t.store, { after: start })) paged.push(...page);
      expect(paged).toHaveLength(5);
      expect(paged).toEqual(await collect(t.store.readAll({ after: start })));
      const limited: StoredEvent[] = [];
      for await (const page of readAllInPages(t.store, { after: start, maxCount: 4 })) limited.push(...page);
      expect(limited).toEqual(paged.slice(0, 4));
    });

    it('moves the head position past each append', async () => {
      const before = await t.store.headPosition();
      const result = await t.store.append(newStream(), someEvents(2));
      expect(result.position).toBeGreaterThan(before);
      expect(await t.store.headPosition()).toBeGreaterThanOrEqual(result.position);
    });
  });
}
