import { parseEdtfInterval, type Citation, type IncidentEvent, type Value } from '../../events/index.js';
import { canonicalJson } from '../store/hash-chain.js';
import type { IncidentCommand } from './commands.js';
import { DomainError } from './errors.js';
import type { AssertionState, IncidentState } from './incident-state.js';

export { evolve, foldIncident, initialIncidentState } from './incident-state.js';

const same = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** A citation with no member says what no citation says: correcting none to {} changes nothing. */
const asCompared = (key: string, value: unknown): unknown =>
  key === 'citation' && typeof value === 'object' && value !== null && Object.keys(value).length === 0 ? undefined : value;

function liveAssertion(state: IncidentState, assertionId: string): AssertionState {
  const assertion = state.assertions.get(assertionId);
  if (!assertion) throw new DomainError('assertion-not-found', `no assertion ${assertionId} in this incident`);
  if (assertion.retracted) throw new DomainError('assertion-retracted', `assertion ${assertionId} was retracted`);
  return assertion;
}

/**
 * An EDTF interval open at both ends ("../..", "/") is valid EDTF but places nothing in time: as
 * a valid time, a date value or a publication date it would say nothing, and the timeline would
 * sort it before everything. Refused wherever a time is asserted.
 */
function assertTimesBounded(data: { validTime?: string | undefined; value?: Value | undefined; citation?: Citation | undefined }): void {
  const times: Array<[string, string | undefined]> = [
    ['validTime', data.validTime],
    ['value', data.value?.type === 'date' ? data.value.value : undefined],
    ['citation.publishedAt', data.citation?.publishedAt],
  ];
  for (const [field, text] of times) {
    const interval = text === undefined ? undefined : parseEdtfInterval(text);
    if (interval && interval.min === -Infinity && interval.max === Infinity) {
      throw new DomainError('time-unbounded', `${field} ${JSON.stringify(text)} has neither end known: give at least one`);
    }
  }
}

/** decide(command, state) → events: pure, total, and refuses with a typed DomainError. */
export const decide = (command: IncidentCommand, state: IncidentState): IncidentEvent[] => {
  if (command.type === 'OpenIncident') {
    if (state.exists) throw new DomainError('incident-already-exists', `incident ${command.data.incidentId} already exists`);
    return [{ type: 'IncidentOpened', data: command.data }];
  }
  if (!state.exists || state.id === undefined) throw new DomainError('incident-not-found', 'no such incident');

  switch (command.type) {
    case 'ReviseIncidentDetails': {
      const { title, summary, reason } = command.data;
      const changesTitle = title !== undefined && title !== state.title;
      const changesSummary = summary !== undefined && summary !== state.summary;
      if (!changesTitle && !changesSummary) throw new DomainError('details-unchanged', 'the revision changes neither title nor summary');
      return [
        {
          type: 'IncidentDetailsRevised',
          data: {
            incidentId: state.id,
            ...(changesTitle ? { title } : {}),
            ...(changesSummary ? { summary } : {}),
            ...(reason !== undefined ? { reason } : {}),
          },
        },
      ];
    }
    case 'RecordAssertion': {
      if (!command.sourceRegistered) throw new DomainError('unknown-source', `source ${command.data.sourceId} is not registered`);
      if (state.assertions.has(command.data.assertionId)) {
        throw new DomainError('assertion-already-exists', `assertion ${command.data.assertionId} already exists`);
      }
      assertTimesBounded(command.data);
      return [{ type: 'AssertionRecorded', data: command.data }];
    }
    case 'CorrectAssertion': {
      const current = liveAssertion(state, command.data.assertionId);
      assertTimesBounded(command.data);
      const { assertionId, reason, ...proposed } = command.data;
      // Only fields that really differ go into the event: history then shows exactly what changed.
      const changes = Object.fromEntries(
        Object.entries(proposed).filter(([key, value]) => value !== undefined && !same(asCompared(key, value), asCompared(key, current[key as keyof typeof proposed]))),
      ) as typeof proposed;
      if (Object.keys(changes).length === 0) throw new DomainError('correction-changes-nothing', 'the correction changes nothing');
      return [{ type: 'AssertionCorrected', data: { assertionId, reason, ...changes } }];
    }
    case 'RetractAssertion': {
      liveAssertion(state, command.data.assertionId);
      return [{ type: 'AssertionRetracted', data: command.data }];
    }
    case 'AssessFact': {
      const { fact, preferred } = command.data;
      for (const id of new Set(preferred)) {
        const assertion = state.assertions.get(id);
        if (!assertion) throw new DomainError('assessment-names-unknown-assertion', `no assertion ${id} in this incident`);
        if (assertion.retracted) throw new DomainError('assessment-names-retracted-assertion', `assertion ${id} was retracted`);
        if (assertion.fact !== fact) throw new DomainError('assessment-names-assertion-off-fact', `assertion ${id} is about ${assertion.fact}, not ${fact}`);
      }
      return [{ type: 'FactAssessed', data: { ...command.data, preferred: [...new Set(preferred)] } }];
    }
  }
};
