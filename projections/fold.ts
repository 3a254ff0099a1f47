import type { Recorded } from '../events/index.js';

export const fold = <S, E>(events: Iterable<E>, evolve: (state: S, event: E) => S, initial: S): S => {
  let state = initial;
  for (const event of events) state = evolve(state, event);
  return state;
};

/** Milliseconds since the epoch of an event's server-clock timestamp. */
export const recordedAtMs = (event: Pick<Recorded, 'metadata'>): number => Date.parse(event.metadata.recordedAt);

/**
 * The events recorded at or before `asOf`, in order, stopping at the first one after it:
 * "as of" is the same fold stopped early. Without `asOf`, every event.
 */
export function* upTo<E extends Pick<Recorded, 'metadata'>>(events: Iterable<E>, asOf?: Date): Generator<E> {
  const after = recordedAfter(asOf);
  for (const event of events) {
    if (after(event)) return;
    yield event;
  }
}

/** Whether an event was recorded after `asOf`, where "as of" stops a fold; never, without one. */
export function recordedAfter(asOf?: Date): (event: Pick<Recorded, 'metadata'>) => boolean {
  if (asOf === undefined) return () => false;
  const limit = asOf.getTime();
  return (event) => recordedAtMs(event) > limit;
}
