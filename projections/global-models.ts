import { z } from 'zod';
import type { Recorded } from '../events/index.js';
import { recordedAfter } from './fold.js';
import { applyToIncidentList, indexIncidents, pageIncidents, type IncidentQuery } from './incident-list.js';
import type { Page } from './pagination.js';
import { IncidentSummary, SourceSummary } from './schemas.js';
import { applyToSourceDirectory, indexSources, pageSources } from './source-directory.js';

/** The checkpointed form. Bump `version` whenever the fold changes, so old checkpoints are refolded. */
export const GLOBAL_MODELS_VERSION = 1;
export const GlobalModelsState = z.object({
  version: z.literal(GLOBAL_MODELS_VERSION),
  incidents: z.array(IncidentSummary),
  sources: z.array(SourceSummary),
});
export type GlobalModelsState = z.infer<typeof GlobalModelsState>;

/**
 * The read models folded from every event: the incident list and the source directory.
 * A container its owner (the runner, or one "as of" fold) feeds in global order; queries
 * are pure functions of what has been applied, memoised until the next event.
 */
export class GlobalReadModels {
  private readonly incidentMap = new Map<string, IncidentSummary>();
  private readonly sourceMap = new Map<string, SourceSummary>();
  private incidentIndex: ReturnType<typeof indexIncidents> | undefined;
  private sourceIndex: ReturnType<typeof indexSources> | undefined;
  private sourcesChanged = 0;

  /** A fresh fold of `events` (already cut at the instant wanted, for "as of"). */
  static fold(events: Iterable<Recorded>): GlobalReadModels {
    const models = new GlobalReadModels();
    for (const event of events) models.apply(event);
    return models;
  }

  /**
   * A fresh fold of `$all` read a page at a time (see readAllInPages), cut at `asOf` as `upTo`
   * cuts: at the first event recorded after it. An await per page, not per event.
   */
  static async foldPages(pages: AsyncIterable<Iterable<Recorded>>, asOf?: Date): Promise<GlobalReadModels> {
    const models = new GlobalReadModels();
    const after = recordedAfter(asOf);
    for await (const page of pages) {
      for (const event of page) {
        if (after(event)) return models;
        models.apply(event);
      }
    }
    return models;
  }

  /** Undefined for a state of another version or shape: the caller then folds from zero. */
  static fromState(state: unknown): GlobalReadModels | undefined {
    const parsed = GlobalModelsState.safeParse(state);
    if (!parsed.success) return undefined;
    const models = new GlobalReadModels();
    for (const i of parsed.data.incidents) models.incidentMap.set(i.id, i);
    for (const s of parsed.data.sources) models.sourceMap.set(s.id, s);
    return models;
  }

  apply(event: Recorded): void {
    if (event.type === 'SourceRegistered') {
      applyToSourceDirectory(this.sourceMap, event);
      this.sourceIndex = undefined;
      this.sourcesChanged++;
    } else {
      applyToIncidentList(this.incidentMap, event);
      this.incidentIndex = undefined;
    }
  }

  get incidents(): ReadonlyMap<string, IncidentSummary> {
    return this.incidentMap;
  }

  get sources(): ReadonlyMap<string, SourceSummary> {
    return this.sourceMap;
  }

  /** Changes whenever a source is registered: views that show source names memoise on it. */
  get sourcesVersion(): number {
    return this.sourcesChanged;
  }

  listIncidents(query: IncidentQuery): Page<IncidentSummary> {
    this.incidentIndex ??= indexIncidents(this.incidentMap.values());
    return pageIncidents(this.incidentIndex, query);
  }

  listSources(query: { limit: number; cursor?: string | undefined }): Page<SourceSummary> {
    this.sourceIndex ??= indexSources(this.sourceMap.values());
    return pageSources(this.sourceIndex, query);
  }

  toState(): GlobalModelsState {
    return { version: GLOBAL_MODELS_VERSION, incidents: [...this.incidentMap.values()], sources: [...this.sourceMap.values()] };
  }
}
