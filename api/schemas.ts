import { z } from 'zod';
import {
  AssertionCorrected,
  AssertionRecorded,
  AssertionRetracted,
  FactAssessed,
  FactKey,
  IncidentDetailsRevised,
  IncidentOpened,
  SourceRegistered,
  Ulid,
} from '../events/index.js';

/**
 * Request shapes, derived from the event schemas so a field is declared once.
 * Every object is strict: an unknown key is a 400, not silently dropped.
 */
export const OpenIncidentBody = IncidentOpened.omit({ incidentId: true });
export const ReviseIncidentBody = IncidentDetailsRevised.omit({ incidentId: true });
export const RegisterSourceBody = SourceRegistered.omit({ sourceId: true });
export const RecordAssertionBody = AssertionRecorded.omit({ assertionId: true });
export const CorrectAssertionBody = AssertionCorrected.omit({ assertionId: true });
export const RetractAssertionBody = AssertionRetracted.omit({ assertionId: true });
export const AssessFactBody = FactAssessed.omit({ fact: true });
export const VerifyBody = z
  .strictObject({
    checkpoint: z.strictObject({
      size: z.number().int().nonnegative(),
      root: z.string().regex(/^[0-9a-f]{64}$/),
      at: z.string().optional(),
      signature: z.string().optional(),
    }),
  })
  .partial();

/** An ISO 8601 instant (with offset) or a calendar date (its start, UTC). */
export const AsOf = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((s) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s))
  .refine((d) => !Number.isNaN(d.getTime()), 'not a valid instant');

/**
 * A query parameter holding a whole number written in decimal digits (z.coerce.number would also
 * take "0x10", " 5", and "" as 0).
 */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number written in digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const Limit = wholeNumber(1, 500).default(50);
const Cursor = z.string().max(200);

export const AsOfQuery = z.strictObject({ asOf: AsOf.optional() });
export const IncidentListQuery = z.strictObject({
  q: z.string().max(200).optional(),
  asOf: AsOf.optional(),
  limit: Limit,
  cursor: Cursor.optional(),
});
export const SourceListQuery = z.strictObject({ asOf: AsOf.optional(), limit: Limit, cursor: Cursor.optional() });
export const EventsQuery = z.strictObject({
  from: wholeNumber(0, Number.MAX_SAFE_INTEGER).default(0),
  limit: wholeNumber(1, 1000).default(100),
});
export const InclusionQuery = z.strictObject({
  eventId: Ulid,
  size: wholeNumber(1, Number.MAX_SAFE_INTEGER).optional(),
});
export const ConsistencyQuery = z.strictObject({
  from: wholeNumber(1, Number.MAX_SAFE_INTEGER),
  to: wholeNumber(1, Number.MAX_SAFE_INTEGER).optional(),
});

export const IncidentParams = z.strictObject({ id: Ulid });
export const SourceParams = z.strictObject({ id: Ulid });
export const AssertionParams = z.strictObject({ id: Ulid, aid: Ulid });
export const FactParams = z.strictObject({ id: Ulid, fact: FactKey });

export const CreatedIncident = z.object({ id: Ulid, revision: z.number().int() });
export const CreatedSource = z.object({ id: Ulid, revision: z.number().int() });
export const CreatedAssertion = z.object({ assertionId: Ulid, revision: z.number().int() });
export const AppendedAnswer = z.object({ revision: z.number().int(), assertionId: Ulid.optional(), fact: FactKey.optional() });
