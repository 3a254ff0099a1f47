import { z } from 'zod';
import { Ulid } from './ids.js';
import { Citation, EdtfString, FactKey, Quote, Value } from './values.js';

const Title = z.string().trim().min(1).max(300);
const Summary = z.string().max(5_000);
const Reason = z.string().trim().min(1).max(2_000);

export const IncidentOpened = z.strictObject({
  incidentId: Ulid,
  title: Title,
  summary: Summary.optional(),
});

export const IncidentDetailsRevised = z.strictObject({
  incidentId: Ulid,
  title: Title.optional(),
  summary: Summary.optional(),
  reason: Reason.optional(),
});

export const AssertionRecorded = z.strictObject({
  assertionId: Ulid,
  fact: FactKey,
  value: Value,
  validTime: EdtfString.optional(),
  sourceId: Ulid,
  citation: Citation.optional(),
  quote: Quote.optional(),
});

/** Only the fields that changed are present; the original stays in history. */
export const AssertionCorrected = z.strictObject({
  assertionId: Ulid,
  reason: Reason,
  value: Value.optional(),
  validTime: EdtfString.optional(),
  fact: FactKey.optional(),
  quote: Quote.optional(),
  citation: Citation.optional(),
});

export const AssertionRetracted = z.strictObject({
  assertionId: Ulid,
  reason: Reason,
});

export const FactAssessed = z.strictObject({
  fact: FactKey,
  preferred: z.array(Ulid).min(1).max(100),
  rationale: Reason,
});

export const Reasons = { Title, Summary, Reason };
