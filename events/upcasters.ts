import { CURRENT_SCHEMA_VERSION, LedgerEvent, type LedgerEventType, type Recorded, type StoredEvent } from './catalogue.js';

/** Turns the data of `type` at `fromVersion` into the data at `fromVersion + 1`. Stored events are never rewritten. */
export type Upcaster = (data: unknown) => unknown;

/**
 * Upcasters by event type and the version they upgrade from. Every event is at version 1 today;
 * a v2 of, say, AssertionRecorded would add `AssertionRecorded: { 1: (d) => ({ ...d, newField: … }) }`.
 */
export const UPCASTERS: Partial<Record<LedgerEventType, Record<number, Upcaster>>> = {};

export class UnknownEventError extends Error {
  constructor(readonly stored: Pick<StoredEvent, 'stream' | 'revision' | 'type'>, detail: string) {
    super(`${stored.stream}@${stored.revision} (${stored.type}): ${detail}`);
    this.name = 'UnknownEventError';
  }
}

/** Brings a stored event up to the current schema and validates it against the catalogue. */
export function upcast(stored: StoredEvent): Recorded {
  const type = stored.type as LedgerEventType;
  const target = CURRENT_SCHEMA_VERSION[type];
  if (target === undefined) throw new UnknownEventError(stored, 'unknown event type');
  // Current-version events were validated on the way in and are covered by the hash chain;
  // re-parsing each one on every fold would dominate replay time.
  if (stored.metadata.schemaVersion === target) return stored as Recorded;
  let data = stored.data;
  for (let v = stored.metadata.schemaVersion; v < target; v++) {
    const step = UPCASTERS[type]?.[v];
    if (!step) throw new UnknownEventError(stored, `no upcaster from version ${v}`);
    data = step(data);
  }
  const parsed = LedgerEvent.safeParse({ type, data });
  if (!parsed.success) throw new UnknownEventError(stored, parsed.error.message);
  return { ...stored, ...parsed.data } as Recorded;
}
