import { z } from 'zod';
import {
  AssertionCorrected,
  AssertionRecorded,
  AssertionRetracted,
  FactAssessed,
  IncidentDetailsRevised,
  IncidentOpened,
  SourceRegistered,
} from '../../events/index.js';

/**
 * Commands carry everything the decider needs, ids included, so the same inputs always give the
 * same events. Facts the decider cannot see in its own stream (is the cited source registered?)
 * are looked up by the command handler and arrive in the command.
 */
export const OpenIncident = z.strictObject({ type: z.literal('OpenIncident'), data: IncidentOpened });
export const ReviseIncidentDetails = z.strictObject({
  type: z.literal('ReviseIncidentDetails'),
  data: IncidentDetailsRevised.omit({ incidentId: true }),
});
export const RecordAssertion = z.strictObject({
  type: z.literal('RecordAssertion'),
  data: AssertionRecorded,
  sourceRegistered: z.boolean(),
});
export const CorrectAssertion = z.strictObject({ type: z.literal('CorrectAssertion'), data: AssertionCorrected });
export const RetractAssertion = z.strictObject({ type: z.literal('RetractAssertion'), data: AssertionRetracted });
export const AssessFact = z.strictObject({ type: z.literal('AssessFact'), data: FactAssessed });

export const IncidentCommand = z.discriminatedUnion('type', [
  OpenIncident,
  ReviseIncidentDetails,
  RecordAssertion,
  CorrectAssertion,
  RetractAssertion,
  AssessFact,
]);
export type IncidentCommand = z.infer<typeof IncidentCommand>;

export const RegisterSource = z.strictObject({ type: z.literal('RegisterSource'), data: SourceRegistered });
export type RegisterSource = z.infer<typeof RegisterSource>;
