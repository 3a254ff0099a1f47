import type { Recorded } from '../events/index.js';
import { compareKeys, paginate, type Page, type SortKey } from './pagination.js';
import type { SourceSummary } from './schemas.js';
import { foldText } from './text.js';

/** Applies one event to the source directory the caller owns. */
export function applyToSourceDirectory(sources: Map<string, SourceSummary>, event: Recorded): void {
  if (event.type !== 'SourceRegistered') return;
  const { sourceId, name, kind, url, language } = event.data;
  sources.set(sourceId, {
    id: sourceId,
    name,
    kind,
    ...(url !== undefined ? { url } : {}),
    ...(language !== undefined ? { language } : {}),
    registeredAt: event.metadata.recordedAt,
  });
}

interface Indexed {
  readonly summary: SourceSummary;
  readonly key: SortKey;
}

/** Alphabetical by name as people read it (NFKC, case folded), then by id. */
export const indexSources = (sources: Iterable<SourceSummary>): Indexed[] =>
  [...sources].map((summary) => ({ summary, key: [foldText(summary.name), summary.id] as const })).sort((a, b) => compareKeys(a.key, b.key));

export function pageSources(indexed: readonly Indexed[], query: { limit: number; cursor?: string | undefined }): Page<SourceSummary> {
  const page = paginate(indexed, (i) => i.key, compareKeys, query);
  return { items: page.items.map((i) => i.summary), nextCursor: page.nextCursor };
}
