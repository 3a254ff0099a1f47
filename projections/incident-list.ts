import { parseStream, type Recorded } from '../events/index.js';
import { compareKeys, paginate, type Page, type SortKey } from './pagination.js';
import type { IncidentSummary } from './schemas.js';
import { foldText } from './text.js';

/** Applies one event to the incident list the caller owns; summaries are replaced, never mutated. */
export function applyToIncidentList(incidents: Map<string, IncidentSummary>, event: Recorded): void {
  const stream = parseStream(event.stream);
  if (stream?.kind !== 'incident') return;
  const { recordedAt } = event.metadata;
  if (event.type === 'IncidentOpened') {
    incidents.set(stream.id, summary(stream.id, event.data.title, event.data.summary, recordedAt, recordedAt, event.revision, 0));
    return;
  }
  const current = incidents.get(stream.id);
  if (!current) return;
  let { title, summary: text, assertionCount } = current;
  if (event.type === 'IncidentDetailsRevised') {
    if (event.data.title !== undefined) title = event.data.title;
    if (event.data.summary !== undefined) text = event.data.summary;
  }
  // The decider only lets a live assertion be retracted, so a count is enough.
  if (event.type === 'AssertionRecorded') assertionCount++;
  if (event.type === 'AssertionRetracted') assertionCount = Math.max(0, assertionCount - 1);
  incidents.set(stream.id, summary(current.id, title, text, current.openedAt, recordedAt, event.revision, assertionCount));
}

/** One shape for every summary (an absent summary is left out, as the schema has it), built once per event. */
function summary(id: string, title: string, text: string | undefined, openedAt: string, updatedAt: string, revision: number, assertionCount: number): IncidentSummary {
  return text === undefined
    ? { id, title, openedAt, updatedAt, revision, assertionCount }
    : { id, title, summary: text, openedAt, updatedAt, revision, assertionCount };
}

interface Indexed {
  readonly summary: IncidentSummary;
  readonly key: SortKey;
  readonly foldedTitle: string;
}

/** Newest first: later opening time first, then the higher ULID (ULIDs grow with time). */
const newestFirst = (a: SortKey, b: SortKey): number => -compareKeys(a, b);

export function indexIncidents(incidents: Iterable<IncidentSummary>): Indexed[] {
  return [...incidents]
    .map((summary) => ({ summary, key: [Date.parse(summary.openedAt), summary.id] as const, foldedTitle: foldText(summary.title) }))
    .sort((a, b) => newestFirst(a.key, b.key));
}

export interface IncidentQuery {
  q?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export function pageIncidents(indexed: readonly Indexed[], query: IncidentQuery): Page<IncidentSummary> {
  const needle = query.q === undefined ? '' : foldText(query.q);
  const page = paginate(indexed, (i) => i.key, newestFirst, {
    limit: query.limit,
    cursor: query.cursor,
    ...(needle ? { keep: (i: Indexed) => i.foldedTitle.includes(needle) } : {}),
  });
  return { items: page.items.map((i) => i.summary), nextCursor: page.nextCursor };
}
