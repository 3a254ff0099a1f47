import type { AssertionCorrected, AssertionRecorded, IncidentEvent, Value } from '../../events/index.js';
import type { IncidentCommand } from '../../src/domain/commands.js';
import type { z } from 'zod';

/** Readable stand-ins for ULIDs: `id('a1')` is a valid, stable ULID derived from a short name. */
export const id = (name: string): string => {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let out = '';
  for (const ch of name.toUpperCase()) out += alphabet.includes(ch) ? ch : alphabet[ch.charCodeAt(0) % 32];
  return ('01' + '0'.repeat(24 - out.length) + out).slice(0, 26);
};

export const INCIDENT = id('incident');
export const EUROPOL = id('europol');
export const SKYECC = id('skyecc');

export const qty = (value: number, extra: Partial<Extract<Value, { type: 'quantity' }>> = {}): Value => ({ type: 'quantity', value, ...extra });

type Recorded = z.infer<typeof AssertionRecorded>;
type Corrected = z.infer<typeof AssertionCorrected>;

export const opened = (title = 'Sky ECC'): IncidentEvent => ({ type: 'IncidentOpened', data: { incidentId: INCIDENT, title } });

export const recorded = (name: string, over: Partial<Recorded> = {}): IncidentEvent => ({
  type: 'AssertionRecorded',
  data: { assertionId: id(name), fact: 'users.worldwide', value: qty(170000, { approximate: true }), sourceId: EUROPOL, ...over },
});

export const corrected = (name: string, over: Partial<Corrected> = {}): IncidentEvent => ({
  type: 'AssertionCorrected',
  data: { assertionId: id(name), reason: 'typo', ...over },
});

export const retracted = (name: string, reason = 'recorded in error'): IncidentEvent => ({
  type: 'AssertionRetracted',
  data: { assertionId: id(name), reason },
});

export const open = (title = 'Sky ECC'): IncidentCommand => ({ type: 'OpenIncident', data: { incidentId: INCIDENT, title } });
export const record = (name: string, over: Partial<Recorded> = {}, sourceRegistered = true): IncidentCommand => ({
  type: 'RecordAssertion',
  data: (recorded(name, over) as Extract<IncidentEvent, { type: 'AssertionRecorded' }>).data,
  sourceRegistered,
});
export const correct = (name: string, over: Partial<Corrected> = {}): IncidentCommand => ({
  type: 'CorrectAssertion',
  data: { assertionId: id(name), reason: 'typo', ...over },
});
export const retract = (name: string, reason = 'recorded in error'): IncidentCommand => ({
  type: 'RetractAssertion',
  data: { assertionId: id(name), reason },
});
export const assess = (fact: string, preferred: string[], rationale = 'primary source'): IncidentCommand => ({
  type: 'AssessFact',
  data: { fact, preferred: preferred.map(id), rationale },
});
