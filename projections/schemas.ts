import { z } from 'zod';
import { Citation, EdtfString, FactKey, Quote, Ulid, Value } from '../events/index.js';

/**
 * The read side's public shapes (DESIGN.md, "Public contract"). Views return exactly these, and the
 * HTTP layer generates its OpenAPI document from the same schemas.
 */

/** The instant a view was asked about (ISO), or null for "now". */
const AsOfField = z.string().nullable();
/** The stream revision a view reflects; -1 when no event had been recorded by then. */
const RevisionField = z.number().int().min(-1);

export const FactStatus = z.enum(['single-source', 'corroborated', 'disputed', 'assessed']);
export type FactStatus = z.infer<typeof FactStatus>;

export const AssertionView = z.object({
  assertionId: Ulid,
  fact: FactKey,
  value: Value,
  validTime: EdtfString.optional(),
  sourceId: Ulid,
  sourceName: z.string().optional(),
  citation: Citation.optional(),
  quote: Quote.optional(),
  recordedAt: z.string(),
  recordedBy: z.string(),
  corrected: z.boolean(),
});
export type AssertionView = z.infer<typeof AssertionView>;

export const AssessmentView = z.object({
  preferred: z.array(Ulid),
  rationale: z.string(),
  actor: z.string(),
  recordedAt: z.string(),
  revision: z.number().int().nonnegative(),
});
export type AssessmentView = z.infer<typeof AssessmentView>;

export const FactView = z.object({
  fact: FactKey,
  status: FactStatus,
  assertions: z.array(AssertionView),
  assessment: AssessmentView.optional(),
});
export type FactView = z.infer<typeof FactView>;

export const FactsView = z.object({
  incidentId: Ulid,
  revision: RevisionField,
  asOf: AsOfField,
  facts: z.array(FactView),
});
export type FactsView = z.infer<typeof FactsView>;

export const TimelineEntry = z.object({
  fact: FactKey,
  validTime: EdtfString,
  status: FactStatus,
  assertions: z.array(AssertionView),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const Timeline = z.object({
  incidentId: Ulid,
  revision: RevisionField,
  asOf: AsOfField,
  entries: z.array(TimelineEntry),
});
export type Timeline = z.infer<typeof Timeline>;

export const Position = z.object({
  assertionId: Ulid,
  sourceId: Ulid,
  /** Falls back to the source id while the source directory has not yet caught up with the source. */
  sourceName: z.string(),
  value: Value,
  quote: Quote.optional(),
  citation: Citation.optional(),
});
export type Position = z.infer<typeof Position>;

export const Dispute = z.object({
  fact: FactKey,
  status: z.enum(['disputed', 'assessed']),
  positions: z.array(Position),
  /** Pairs of current assertions, from different sources, whose values are incompatible. */
  conflicts: z.array(z.tuple([Ulid, Ulid])),
  assessment: AssessmentView.optional(),
});
export type Dispute = z.infer<typeof Dispute>;

export const Disputes = z.object({
  incidentId: Ulid,
  revision: RevisionField,
  asOf: AsOfField,
  disputes: z.array(Dispute),
});
export type Disputes = z.infer<typeof Disputes>;

export const RevisionType = z.enum(['AssertionRecorded', 'AssertionCorrected', 'AssertionRetracted', 'FactAssessed']);
export type RevisionType = z.infer<typeof RevisionType>;

/** The fields a revision touched; null in `before` means the field was absent. */
export const RevisionChange = z
  .object({
    fact: FactKey,
    value: Value,
    validTime: EdtfString.nullable(),
    sourceId: Ulid,
    citation: Citation.nullable(),
    quote: Quote.nullable(),
    preferred: z.array(Ulid),
    rationale: z.string(),
  })
  .partial();
export type RevisionChange = z.infer<typeof RevisionChange>;

export const RevisionEntry = z.object({
  revision: z.number().int().nonnegative(),
  type: RevisionType,
  recordedAt: z.string(),
  actor: z.string(),
  assertionId: Ulid.optional(),
  reason: z.string().optional(),
  before: RevisionChange.optional(),
  after: RevisionChange.optional(),
});
export type RevisionEntry = z.infer<typeof RevisionEntry>;

export const FactHistory = z.object({
  incidentId: Ulid,
  fact: FactKey,
  revision: RevisionField,
  asOf: AsOfField,
  revisions: z.array(RevisionEntry),
});
export type FactHistory = z.infer<typeof FactHistory>;

export const AssertionHistory = z.object({
  incidentId: Ulid,
  assertionId: Ulid,
  revision: RevisionField,
  asOf: AsOfField,
  revisions: z.array(RevisionEntry),
});
export type AssertionHistory = z.infer<typeof AssertionHistory>;

export const IncidentSummary = z.object({
  id: Ulid,
  title: z.string(),
  summary: z.string().optional(),
  openedAt: z.string(),
  updatedAt: z.string(),
  revision: z.number().int().nonnegative(),
  /** Live (not retracted) assertions. */
  assertionCount: z.number().int().nonnegative(),
});
export type IncidentSummary = z.infer<typeof IncidentSummary>;

export const IncidentView = IncidentSummary.extend({
  asOf: AsOfField,
  factCount: z.number().int().nonnegative(),
  disputedFactCount: z.number().int().nonnegative(),
});
export type IncidentView = z.infer<typeof IncidentView>;

export const IncidentPage = z.object({
  asOf: AsOfField,
  incidents: z.array(IncidentSummary),
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type IncidentPage = z.infer<typeof IncidentPage>;

export const SourceSummary = z.object({
  id: Ulid,
  name: z.string(),
  kind: z.string(),
  url: z.string().optional(),
  language: z.string().optional(),
  registeredAt: z.string(),
});
export type SourceSummary = z.infer<typeof SourceSummary>;

export const SourcePage = z.object({
  asOf: AsOfField,
  sources: z.array(SourceSummary),
  nextCursor: z.string().nullable(),
});
export type SourcePage = z.infer<typeof SourcePage>;
