import type { IncidentEvent, Recorded } from '../../events/index.js';

export const isIncidentRecorded = (e: Recorded): e is Recorded<IncidentEvent> => e.type !== 'SourceRegistered';
