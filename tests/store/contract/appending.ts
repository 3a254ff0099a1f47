import { describe, expect, it } from 'vitest';
import { ConcurrencyError, IdempotencyConflictError } from '../../../src/store/errors.js';
import type { ExpectedRevision } from '../../../src/store/port.js';
import { expectStrictlyIncreasing, newEvent, newStream, rejectionOf, resend, revisions, someEvents } from '../fixtures.js';
import type { ContractContext } from './context.js';

/** The contract, appending: revisions, positions, expected revision and idempotent retries. */
export function describeAppending(t: ContractContext): void {
  describe('appending', () => {
    it('starts a new stream at revision 0 and returns the event as stored', async () => {
      const stream = newStream();
      const event = newEvent('IncidentOpened', { incidentId: 'x', title: 'Sky ECC' });
      const result = await t.store.append(stream, [event]);
      expect(result.nextExpectedRevision).toBe(0);
      expect(result.events).toHaveLength(1);
      expect(result.events[0]).toMatchObject({ stream, revision: 0, type: 'IncidentOpened', data: event.data });
      expect(result.position).toBe(result.events[0]!.position);
    });

    it('gives a batch consecutive revisions and increasing positions, reporting the last', async () => {
      const stream = await t.streamWith(2);
      const result = await t.store.append(stream, someEvents(3));
      expect(revisions(result.events)).toEqual([2, 3, 4]);
      expectStrictlyIncreasing(result.events.map((e) => e.position));
      expect(result.nextExpectedRevision).toBe(4);
      expect(result.position).toBe(result.events[2]!.position);
    });

    it('gives every later append a higher position, whatever the stream', async () => {
      const first = await t.store.append(newStream(), someEvents(1));
      const second = await t.store.append(newStream(), someEvents(1));
      const third = await t.store.append(first.events[0]!.stream, someEvents(1));
      expectStrictlyIncreasing([first.position, second.position, third.position]);
    });
  });

  describe('expected revision', () => {
    it.each<{ expected: ExpectedRevision; existing: number }>([
      { expected: 'any', existing: 0 },
      { expected: 'any', existing: 2 },
      { expected: 'no_stream', existing: 0 },
      { expected: 'stream_exists', existing: 2 },
      { expected: 1, existing: 2 },
    ])('$expected on a stream of $existing events is accepted', async ({ expected, existing }) => {
      const stream = await t.streamWith(existing);
      const result = await t.store.append(stream, someEvents(1), expected);
      expect(result.nextExpectedRevision).toBe(existing);
      expect(await t.store.streamRevision(stream)).toBe(existing);
    });

    it.each<{ expected: ExpectedRevision; existing: number }>([
      { expected: 'no_stream', existing: 2 },
      { expected: 'stream_exists', existing: 0 },
      { expected: 0, existing: 2 },
      { expected: 5, existing: 2 },
      { expected: 0, existing: 0 },
    ])('$expected on a stream of $existing events is refused with the actual revision and writes nothing', async ({ expected, existing }) => {
      const stream = await t.streamWith(existing);
      const before = await t.store.readStream(stream);
      const error = await rejectionOf(t.store.append(stream, someEvents(2), expected));
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ stream, expected, actual: existing - 1 });
      expect(await t.store.readStream(stream)).toEqual(before);
      expect(await t.store.streamRevision(stream)).toBe(existing - 1);
    });

    it('an empty batch checks the expectation and reports where the stream stands', async () => {
      const stream = await t.streamWith(2);
      const result = await t.store.append(stream, [], 1);
      expect(result).toMatchObject({ nextExpectedRevision: 1, events: [] });
      await expect(t.store.append(stream, [], 'no_stream')).rejects.toMatchObject({ actual: 1 });
      expect((await t.store.append(newStream(), [], 'no_stream')).nextExpectedRevision).toBe(-1);
      expect(await t.store.streamRevision(stream)).toBe(1);
    });
  });

  describe('idempotent appends', () => {
    it('a resent batch returns the first result and appends nothing', async () => {
      const stream = newStream();
      const batch = someEvents(2);
      const first = await t.store.append(stream, batch, 'no_stream');
      const again = await t.store.append(stream, resend(batch), 'no_stream');
      expect(again).toEqual(first);
      expect(await t.store.readStream(stream)).toHaveLength(2);
    });

    it('a resent batch is recognised with its now-stale exact revision', async () => {
      const stream = await t.streamWith(1);
      const batch = someEvents(2);
      const first = await t.store.append(stream, batch, 0);
      const again = await t.store.append(stream, resend(batch), 0);
      expect(again).toEqual(first);
      expect(await t.store.streamRevision(stream)).toBe(2);
    });

    it('a resent batch is recognised after the stream has moved on', async () => {
      const stream = newStream();
      const batch = someEvents(2);
      const first = await t.store.append(stream, batch, 'no_stream');
      await t.store.append(stream, someEvents(1), 1);
      const again = await t.store.append(stream, resend(batch), 'no_stream');
      expect(again).toEqual(first);
      expect(await t.store.streamRevision(stream)).toBe(2);
    });

    it('an event id reused with different data is refused and writes nothing', async () => {
      const stream = newStream();
      const original = newEvent('AssertionRetracted', { assertionId: 'a1', reason: 'recorded in error' });
      await t.store.append(stream, [original]);
      const altered = { ...original, data: { assertionId: 'a1', reason: 'source withdrew it' } };
      const error = await rejectionOf(t.store.append(stream, [altered]));
      expect(error).toBeInstanceOf(IdempotencyConflictError);
      expect(error).toMatchObject({ eventId: original.metadata.eventId });
      expect(await t.store.readStream(stream)).toHaveLength(1);
    });

    it('an event id reused with a different type is refused', async () => {
      const stream = newStream();
      const original = newEvent('AssertionRetracted', { assertionId: 'a1', reason: 'recorded in error' });
      await t.store.append(stream, [original]);
      await expect(t.store.append(stream, [{ ...original, type: 'AssertionCorrected' }])).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect(await t.store.streamRevision(stream)).toBe(0);
    });
  });
}
