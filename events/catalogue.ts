import { z } from 'zod';
import {
  AssertionCorrected,
  AssertionRecorded,
  AssertionRetracted,
  FactAssessed,
  IncidentDetailsRevised,
  IncidentOpened,
} from './incident-events.js';
import { EventMetadata } from './metadata.js';
import { SourceRegistered } from './source-events.js';

const event = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.strictObject({ type: z.literal(type), data });

export const IncidentEvent = z.discriminatedUnion('type', [
  event('IncidentOpened', IncidentOpened),
  event('IncidentDetailsRevised', IncidentDetailsRevised),
  event('AssertionRecorded', AssertionRecorded),
  event('AssertionCorrected', AssertionCorrected),
  event('AssertionRetracted', AssertionRetracted),
  event('FactAssessed', FactAssessed),
]);
export type IncidentEvent = z.infer<typeof IncidentEvent>;

export const SourceEvent = z.discriminatedUnion('type', [event('SourceRegistered', SourceRegistered)]);
export type SourceEvent = z.infer<typeof SourceEvent>;

export const LedgerEvent = z.discriminatedUnion('type', [...IncidentEvent.options, ...SourceEvent.options]);
export type LedgerEvent = z.infer<typeof LedgerEvent>;
export type LedgerEventType = LedgerEvent['type'];
export type EventOf<T extends LedgerEventType> = Extract<LedgerEvent, { type: T }>;

export const EVENT_TYPES = LedgerEvent.options.map((o) => o.shape.type.value) as LedgerEventType[];

/** The current schema version of every event type; bump it together with an upcaster. */
export const CURRENT_SCHEMA_VERSION: Record<LedgerEventType, number> = {
  IncidentOpened: 1,
  IncidentDetailsRevised: 1,
  AssertionRecorded: 1,
  AssertionCorrected: 1,
  AssertionRetracted: 1,
  FactAssessed: 1,
  SourceRegistered: 1,
};

/**
 * An event as the store hands it back: where it sits (stream, revision, global position),
 * what it says, and its metadata with the chain fields.
 */
export const StoredEvent = z.object({
  stream: z.string(),
  revision: z.number().int().nonnegative(),
  position: z.number().int().nonnegative(),
  type: z.string(),
  data: z.unknown(),
  metadata: EventMetadata,
});
export type StoredEvent = z.infer<typeof StoredEvent>;

/** A stored event whose body has been upcast and validated against the catalogue. */
export type Recorded<E extends LedgerEvent = LedgerEvent> = Omit<StoredEvent, 'type' | 'data'> & E;
