import { describe, it } from 'vitest';
import { given } from '../support/decider-spec.js';
import {
  INCIDENT,
  assess,
  correct,
  corrected,
  id,
  open,
  opened,
  qty,
  record,
  recorded,
  retract,
  retracted,
} from '../support/incident-fixtures.js';

describe('opening an incident', () => {
  it('opens a new incident', () =>
    given().when(open('Sky ECC')).then({ type: 'IncidentOpened', data: { incidentId: INCIDENT, title: 'Sky ECC' } }));

  it('refuses to open the same incident twice', () => given(opened()).when(open()).thenThrows('incident-already-exists'));
});

describe('revising details', () => {
  it('records only what changed', () =>
    given(opened('Sky')).when({ type: 'ReviseIncidentDetails', data: { title: 'Sky', summary: 'Europol operation', reason: 'add summary' } }).then({
      type: 'IncidentDetailsRevised',
      data: { incidentId: INCIDENT, summary: 'Europol operation', reason: 'add summary' },
    }));

  it('refuses a revision that changes nothing', () =>
    given(opened('Sky')).when({ type: 'ReviseIncidentDetails', data: { title: 'Sky' } }).thenThrows('details-unchanged'));
});

describe('every command but opening needs an incident', () => {
  it.each([
    ['record', record('a1')],
    ['correct', correct('a1', { value: qty(1) })],
    ['retract', retract('a1')],
    ['assess', assess('users.worldwide', ['a1'])],
    ['revise', { type: 'ReviseIncidentDetails' as const, data: { title: 'x' } }],
  ])('refuses to %s in an incident that was never opened', (_name, command) => given().when(command).thenThrows('incident-not-found'));
});

describe('recording an assertion', () => {
  it('records an assertion citing a registered source', () => given(opened()).when(record('a1')).then(recorded('a1')));

  it('refuses an assertion citing an unregistered source', () =>
    given(opened()).when(record('a1', {}, false)).thenThrows('unknown-source'));

  it('refuses to reuse an assertion id', () => given(opened(), recorded('a1')).when(record('a1')).thenThrows('assertion-already-exists'));

  it.each(['../..', '/', '/..', '../'])('refuses a valid time open at both ends (%s)', (validTime) =>
    given(opened()).when(record('a1', { validTime })).thenThrows('time-unbounded'));

  it('refuses a date value or a publication date open at both ends', () => {
    given(opened()).when(record('a1', { value: { type: 'date', value: '../..' } })).thenThrows('time-unbounded');
    given(opened()).when(record('a1', { citation: { url: 'https://example.org/a', publishedAt: '/' } })).thenThrows('time-unbounded');
  });

  it('records a time open at one end', () =>
    given(opened()).when(record('a1', { validTime: '2021-03-09/..' })).then(recorded('a1', { validTime: '2021-03-09/..' })));
});

describe('correcting an assertion', () => {
  it('refuses a correction to a valid time open at both ends', () =>
    given(opened(), recorded('a1')).when(correct('a1', { validTime: '../..' })).thenThrows('time-unbounded'));

  it('records only the fields that change', () =>
    given(opened(), recorded('a1', { value: qty(170) }))
      .when(correct('a1', { value: qty(170000), fact: 'users.worldwide', reason: 'missing zeros' }))
      .then(corrected('a1', { value: qty(170000), reason: 'missing zeros' })));

  it('moves an assertion filed under the wrong fact', () =>
    given(opened(), recorded('a1'))
      .when(correct('a1', { fact: 'users.monitored' }))
      .then(corrected('a1', { fact: 'users.monitored' })));

  it('refuses a correction that changes nothing', () =>
    given(opened(), recorded('a1')).when(correct('a1', { fact: 'users.worldwide' })).thenThrows('correction-changes-nothing'));

  it('refuses a correction with no field at all', () =>
    given(opened(), recorded('a1')).when(correct('a1')).thenThrows('correction-changes-nothing'));

  it('refuses to correct an unknown assertion', () =>
    given(opened()).when(correct('a9', { value: qty(1) })).thenThrows('assertion-not-found'));

  it('refuses to correct a retracted assertion', () =>
    given(opened(), recorded('a1'), retracted('a1')).when(correct('a1', { value: qty(1) })).thenThrows('assertion-retracted'));

  it('sees earlier corrections when deciding whether a new one changes anything', () =>
    given(opened(), recorded('a1', { value: qty(170) }), corrected('a1', { value: qty(170000) }))
      .when(correct('a1', { value: qty(170000) }))
      .thenThrows('correction-changes-nothing'));
});

describe('retracting an assertion', () => {
  it('retracts a live assertion', () => given(opened(), recorded('a1')).when(retract('a1', 'source withdrew')).then(retracted('a1', 'source withdrew')));

  it('refuses to retract an assertion twice', () => given(opened(), recorded('a1'), retracted('a1')).when(retract('a1')).thenThrows('assertion-retracted'));

  it('refuses to retract an unknown assertion', () => given(opened()).when(retract('a1')).thenThrows('assertion-not-found'));
});

describe('assessing a fact', () => {
  const disputed = [opened(), recorded('a1', { value: { type: 'boolean', value: true }, fact: 'encryption.compromised' }), recorded('a2', { value: { type: 'boolean', value: false }, fact: 'encryption.compromised', sourceId: id('skyecc') })];

  it('rules on live assertions of the fact, naming each once', () =>
    given(...disputed).when(assess('encryption.compromised', ['a1', 'a1'])).then({
      type: 'FactAssessed',
      data: { fact: 'encryption.compromised', preferred: [id('a1')], rationale: 'primary source' },
    }));

  it('refuses to prefer an unknown assertion', () =>
    given(...disputed).when(assess('encryption.compromised', ['a9'])).thenThrows('assessment-names-unknown-assertion'));

  it('refuses to prefer an assertion about another fact', () =>
    given(...disputed).when(assess('users.worldwide', ['a1'])).thenThrows('assessment-names-assertion-off-fact'));

  it('refuses to prefer a retracted assertion', () =>
    given(...disputed, retracted('a2')).when(assess('encryption.compromised', ['a2'])).thenThrows('assessment-names-retracted-assertion'));
});
