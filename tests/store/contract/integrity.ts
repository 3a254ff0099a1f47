import { describe, expect, it } from 'vitest';
import { ZERO_HASH } from '../../../events/index.js';
import { verifyStreamChain } from '../../../src/store/hash-chain.js';
import { newEvent, newStream, someEvents } from '../fixtures.js';
import type { ContractContext } from './context.js';

/** The contract, what goes in comes out unchanged, and chained. */
export function describeIntegrity(t: ContractContext): void {
  describe('hash chain', () => {
    it('chains every event to the one before, from the zero hash, across batches', async () => {
      const stream = newStream();
      for (const n of [1, 3, 2]) await t.store.append(stream, someEvents(n));
      const events = await t.store.readStream(stream);
      expect(verifyStreamChain(events)).toEqual([]);
      expect(events[0]!.metadata.prevHash).toBe(ZERO_HASH);
      events.slice(1).forEach((e, i) => expect(e.metadata.prevHash).toBe(events[i]!.metadata.hash));
    });

    it('gives each stream a chain of its own', async () => {
      const [a, b] = [await t.streamWith(2), await t.streamWith(1)];
      const [a0] = await t.store.readStream(a);
      const [b0] = await t.store.readStream(b);
      expect(a0!.metadata.prevHash).toBe(ZERO_HASH);
      expect(b0!.metadata.prevHash).toBe(ZERO_HASH);
    });

    it('names an edited event when the chain is verified', async () => {
      const stream = await t.streamWith(3);
      const events = await t.store.readStream(stream);
      const edited = events.map((e) => (e.revision === 1 ? { ...e, data: { summary: 'rewritten' } } : e));
      expect(verifyStreamChain(edited)).toEqual([expect.objectContaining({ stream, revision: 1, reason: 'hash-mismatch' })]);
    });
  });

  describe('round trips', () => {
    it('keeps metadata unchanged, adding only the chain fields', async () => {
      const stream = newStream();
      const event = newEvent('SourceRegistered', { sourceId: 's1', name: 'Europol', kind: 'agency' }, {
        recordedAt: '2021-03-10T08:15:30.123Z',
        actor: 'editor:alice',
        correlationId: 'request-42',
        causationId: 'command-7',
        schemaVersion: 3,
      });
      await t.store.append(stream, [event]);
      const [stored] = await t.store.readStream(stream);
      const { hash, prevHash, ...rest } = stored!.metadata;
      expect(rest).toEqual(event.metadata);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(prevHash).toBe(ZERO_HASH);
    });

    it('keeps data unchanged: nesting, unicode, numbers, nulls', async () => {
      const stream = newStream();
      const data = {
        quote: 'Sky ECC affirme qu’aucun appareil autorisé n’a été piraté — 🔐',
        value: { type: 'quantity', min: 1e8, max: 1e9, approximate: true, text: 'hundreds of millions' },
        small: 1.5e-7,
        negative: -170000,
        flags: [true, false, null],
        empty: {},
        nested: [[1, 2], { z: 'last', a: 'first' }],
      };
      await t.store.append(stream, [newEvent('AssertionRecorded', data)]);
      const [stored] = await t.store.readStream(stream);
      expect(stored!.data).toEqual(data);
      expect(verifyStreamChain([stored!])).toEqual([]);
    });
  });
}
