import {
  incidentStream,
  sourceStream,
  type IncidentEvent,
  type Recorded,
  type SourceEvent,
} from '../../events/index.js';
import { foldIncidentModel, type IncidentModel } from '../../projections/incident-model.js';
import type { ViewContext } from '../../projections/view-context.js';
import type { NewEvent } from '../../src/store/port.js';
import { EUROPOL, INCIDENT, SKYECC, id } from './incident-fixtures.js';

export { EUROPOL, INCIDENT, SKYECC, corrected, id, opened, qty, recorded, retracted } from './incident-fixtures.js';

export const LE_SOIR = id('lesoir');

/** The clock of a fixture history: step n is recorded n hours after this, unless placed with `at`. */
export const EPOCH = Date.parse('2024-01-01T00:00:00Z');
export const hour = (n: number): string => new Date(EPOCH + n * 3_600_000).toISOString();

export const assessed = (fact: string, preferred: string[], rationale = 'primary source'): IncidentEvent => ({
  type: 'FactAssessed',
  data: { fact, preferred: preferred.map(id), rationale },
});

export const registered = (sourceId: string, name: string, kind = 'agency'): SourceEvent => ({
  type: 'SourceRegistered',
  data: { sourceId, name, kind },
});

interface Placed {
  readonly event: IncidentEvent;
  readonly recordedAt?: string;
  readonly actor?: string;
}
type Step = IncidentEvent | Placed;

/** Records a step at a given instant. */
export const at = (recordedAt: string, event: IncidentEvent): Placed => ({ event, recordedAt });
/** Records a step by a given actor. */
export const by = (actor: string, event: IncidentEvent): Placed => ({ event, actor });

const placed = (step: Step): Placed => ('event' in step ? step : { event: step });

const metadata = (n: number, recordedAt: string, actor: string, idPrefix = 'e') => ({
  eventId: id(`${idPrefix}${n}`),
  recordedAt,
  actor,
  correlationId: `c${n}`,
  causationId: `c${n}`,
  schemaVersion: 1,
});

/** The incident stream the steps make, as the store would hand it back (chain fields are placeholders). */
export function chronicle(...steps: Step[]): Array<Recorded<IncidentEvent>> {
  return steps.map(placed).map(({ event, recordedAt, actor }, revision) => ({
    ...event,
    stream: incidentStream(INCIDENT),
    revision,
    position: revision,
    metadata: { ...metadata(revision, recordedAt ?? hour(revision), actor ?? 'editor@ledger'), prevHash: '0'.repeat(64), hash: '0'.repeat(64) },
  })) as Array<Recorded<IncidentEvent>>;
}

export const isIncidentRecorded = (e: Recorded): e is Recorded<IncidentEvent> => e.type !== 'SourceRegistered';

/** The incident model after the steps. */
export const modelOf = (...steps: Step[]): IncidentModel => foldIncidentModel(chronicle(...steps));

/** Views of the fixture incident, with the fixture sources' names. */
export const sources = new Map([
  [EUROPOL, { name: 'Europol' }],
  [SKYECC, { name: 'Sky ECC' }],
  [LE_SOIR, { name: 'Le Soir' }],
]);
export const ctx = (asOf?: Date): ViewContext => ({ incidentId: INCIDENT, sources, ...(asOf ? { asOf } : {}) });

/** What to hand a store's append for a step (so the fake store's clock follows the fixture's). */
export function newEvent(step: Step | SourceEvent, n: number, idPrefix = 'e'): NewEvent {
  const { event, recordedAt, actor } = 'event' in step ? step : { event: step, recordedAt: undefined, actor: undefined };
  return { type: event.type, data: event.data, metadata: metadata(n, recordedAt ?? hour(n), actor ?? 'editor@ledger', idPrefix) };
}

export const incidentStreamOf = (incidentId: string = INCIDENT): string => incidentStream(incidentId);
export const sourceStreamOf = (sourceId: string): string => sourceStream(sourceId);
