import { describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../../../events/index.js';
import { eventIds, expectStrictlyIncreasing, inStream, newStream, pause, revisions, someEvents } from '../fixtures.js';
import type { ContractContext } from './context.js';

/** The contract, following $all: catch-up, then live delivery. */
export function describeSubscribing(t: ContractContext): void {
  describe('subscribing to $all', () => {
    it('catches up, says so once, then delivers live appends in order', async () => {
      const options = await t.fromHead();
      const stream = await t.streamWith(3);
      const seen: StoredEvent[] = [];
      let caughtUp = 0;
      const subscription = t.store.subscribeToAll((e) => void seen.push(e), { ...options, onCaughtUp: () => caughtUp++ });
      try {
        await vi.waitFor(() => expect(caughtUp).toBe(1));
        expect(revisions(inStream(seen, stream))).toEqual([0, 1, 2]);
        await t.store.append(stream, someEvents(2));
        await t.store.append(stream, someEvents(1));
        await vi.waitFor(() => expect(inStream(seen, stream)).toHaveLength(6));
        expect(inStream(seen, stream)).toEqual(await t.store.readStream(stream));
        expectStrictlyIncreasing(seen.map((e) => e.position));
        expect(caughtUp).toBe(1);
      } finally {
        await subscription.close();
      }
    });

    it('delivers appends made while it is catching up, with no gaps or repeats', async () => {
      const options = await t.fromHead();
      const stream = await t.streamWith(5);
      const seen: StoredEvent[] = [];
      let running = 0;
      let mostAtOnce = 0;
      let caughtUp = 0;
      const subscription = t.store.subscribeToAll(
        async (e) => {
          mostAtOnce = Math.max(mostAtOnce, ++running);
          await pause(2);
          if (e.stream === stream && e.revision === 1) await t.store.append(stream, someEvents(2, 'from the handler'));
          seen.push(e);
          running--;
        },
        { ...options, onCaughtUp: () => caughtUp++ },
      );
      try {
        for (let i = 0; i < 3; i++) await t.store.append(stream, someEvents(1, 'during catch-up'));
        await vi.waitFor(() => expect(inStream(seen, stream)).toHaveLength(10));
        const stored = await t.store.readStream(stream);
        expect(eventIds(inStream(seen, stream))).toEqual(eventIds(stored));
        expect(revisions(inStream(seen, stream))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expectStrictlyIncreasing(seen.map((e) => e.position));
        expect(mostAtOnce).toBe(1);
        await vi.waitFor(() => expect(caughtUp).toBe(1));
      } finally {
        await subscription.close();
      }
    });

    it('delivers events appended while a live event is being handled', async () => {
      const stream = newStream();
      const seen: StoredEvent[] = [];
      let caughtUp = false;
      const subscription = t.store.subscribeToAll(
        async (e) => {
          seen.push(e);
          // A reaction to the event, committed while its handler is still running.
          if (e.stream === stream && e.revision === 0) await t.store.append(stream, someEvents(1, 'reaction'));
          await pause(2);
        },
        { ...(await t.fromHead()), onCaughtUp: () => (caughtUp = true) },
      );
      try {
        await vi.waitFor(() => expect(caughtUp).toBe(true));
        await t.store.append(stream, someEvents(1));
        await vi.waitFor(() => expect(revisions(inStream(seen, stream))).toEqual([0, 1]));
      } finally {
        await subscription.close();
      }
    });

    it('starts strictly after the given position', async () => {
      const stream = newStream();
      const result = await t.store.append(stream, someEvents(3));
      const seen: StoredEvent[] = [];
      let caughtUp = false;
      const subscription = t.store.subscribeToAll((e) => void seen.push(e), {
        after: result.events[1]!.position,
        onCaughtUp: () => (caughtUp = true),
      });
      try {
        await vi.waitFor(() => expect(caughtUp).toBe(true));
        expect(revisions(inStream(seen, stream))).toEqual([2]);
      } finally {
        await subscription.close();
      }
    });

    it('delivers nothing more once closed', async () => {
      const stream = newStream();
      const seen: StoredEvent[] = [];
      let caughtUp = false;
      const subscription = t.store.subscribeToAll((e) => void seen.push(e), { ...(await t.fromHead()), onCaughtUp: () => (caughtUp = true) });
      await vi.waitFor(() => expect(caughtUp).toBe(true));
      await subscription.close();
      await t.store.append(stream, someEvents(2));
      await pause(50);
      expect(inStream(seen, stream)).toEqual([]);
    });

    it('ends when the handler throws, and reports the error', async () => {
      const stream = newStream();
      const failure = new Error('projection broke');
      const errors: Error[] = [];
      let calls = 0;
      const subscription = t.store.subscribeToAll(
        (e) => {
          if (e.stream !== stream) return;
          calls++;
          throw failure;
        },
        { ...(await t.fromHead()), onError: (error) => errors.push(error) },
      );
      try {
        await t.store.append(stream, someEvents(2));
        await vi.waitFor(() => expect(errors).toHaveLength(1));
        expect(errors[0]?.message).toContain('projection broke');
        await t.store.append(stream, someEvents(1));
        await pause(50);
        expect(calls).toBe(1);
      } finally {
        await subscription.close();
      }
    });
  });
}
