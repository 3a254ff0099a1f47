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
   * A fold of `$all` read a page at a time (see readAllInPages), cut at `asOf` as `upTo` cuts: at
   * the first event recorded after it. An await per page, not per event. `start`: models the
   * pages follow on from (a snapshot, see GlobalSnapshots), left as they are; else a fresh fold.
   */
  static async foldPages(pages: AsyncIterable<Iterable<Recorded>>, asOf?: Date, start?: GlobalReadModels): Promise<GlobalReadModels> {
    const models = start ? start.copy() : new GlobalReadModels();
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

  /** The same models, to be changed on their own: summaries are never changed in place, so the maps are copied, not their entries. */
  copy(): GlobalReadModels {
    const models = new GlobalReadModels();
    for (const [id, summary] of this.incidentMap) models.incidentMap.set(id, summary);
    for (const [id, summary] of this.sourceMap) models.sourceMap.set(id, summary);
    models.sourcesChanged = this.sourcesChanged;
    return models;
  }

  /** Incidents and sources held: what a copy costs. */
  get size(): number {
    return this.incidentMap.size + this.sourceMap.size;
  }

  /**
   * The latest instant (epoch ms) any event folded in was recorded at: every event on an incident
   * sets its `updatedAt`, and a source's only event its `registeredAt`. -Infinity when empty.
   */
  latestRecordedAt(): number {
    let latest = Number.NEGATIVE_INFINITY;
    for (const i of this.incidentMap.values()) latest = Math.max(latest, Date.parse(i.updatedAt));
    for (const s of this.sourceMap.values()) latest = Math.max(latest, Date.parse(s.registeredAt));
    return latest;
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
