import { expect } from 'vitest';
import { ulid } from 'ulid';
import type { StoredEvent } from '../../events/index.js';
import type { EventStore, NewEvent } from '../../src/store/port.js';

/** A fresh incident stream, so tests sharing one store (or one real server) never collide. */
export const newStream = (): string => `incident-${ulid()}`;

/** A new event with complete metadata and a fresh ULID event id. */
export function newEvent(type: string, data: unknown, metadata: Partial<NewEvent['metadata']> = {}): NewEvent {
  const eventId = ulid();
  return {
    type,
    data,
    metadata: {
      eventId,
      recordedAt: new Date().toISOString(),
      actor: 'contract-suite',
      correlationId: eventId,
      causationId: eventId,
      schemaVersion: 1,
      ...metadata,
    },
  };
}

/** `n` small events, numbered in their data so order is visible in a failure message. */
export const someEvents = (n: number, label = 'note'): NewEvent[] =>
  Array.from({ length: n }, (_, i) => newEvent('IncidentDetailsRevised', { incidentId: ulid(), summary: `${label} ${i}` }));

/** The same event ids and content, as a client would resend after losing the response. */
export const resend = (events: readonly NewEvent[]): NewEvent[] => events.map((e) => structuredClone(e));

export async function collect(iterable: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

/** $all after `after`, narrowed to the given streams: other writers may share the store. */
export async function readAllOf(store: EventStore, streams: readonly string[], after?: number): Promise<StoredEvent[]> {
  const wanted = new Set(streams);
  return (await collect(store.readAll(after === undefined ? {} : { after }))).filter((e) => wanted.has(e.stream));
}

export const revisions = (events: readonly StoredEvent[]): number[] => events.map((e) => e.revision);
export const eventIds = (events: readonly { metadata: { eventId: string } }[]): string[] => events.map((e) => e.metadata.eventId);

export const inStream = (events: readonly StoredEvent[], stream: string): StoredEvent[] => events.filter((e) => e.stream === stream);

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** The only ordering promise the port makes about positions. */
export function expectStrictlyIncreasing(values: readonly number[]): void {
  values.slice(1).forEach((v, i) => expect(v, `position ${i + 1}`).toBeGreaterThan(values[i]!));
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
