import { incidentStream, parseStream, upcast, type IncidentEvent, type Recorded, type StoredEvent } from '../../events/index.js';
import { disputesView } from '../../projections/disputes.js';
import { factsView } from '../../projections/facts-view.js';
import { GlobalReadModels } from '../../projections/global-models.js';
import { GlobalSnapshots } from '../../projections/global-snapshots.js';
import { assertionHistoryView, factHistoryView } from '../../projections/history.js';
import type { IncidentModel } from '../../projections/incident-model.js';
import { IncidentReplay } from '../../projections/incident-replay.js';
import { incidentView } from '../../projections/incident-view.js';
import type { ProjectionRunner } from '../../projections/runner.js';
import type {
  AssertionHistory,
  Disputes,
  FactHistory,
  FactsView,
  IncidentPage,
  IncidentView,
  SourcePage,
  Timeline,
} from '../../projections/schemas.js';
import { timelineView } from '../../projections/timeline.js';
import type { ViewContext } from '../../projections/view-context.js';
import type { EventStore } from '../store/port.js';
import { readAllInPages } from '../store/read-all-pages.js';

export interface ReadModelsOptions {
  /** Incidents whose events and models stay in memory (least recently used go first). */
  maxIncidents?: number;
  /**
   * Events, summed over the incidents kept, past which the least recently used are let go too
   * (the one just read always stays): memory follows events, and incidents differ a thousandfold.
   */
  maxEvents?: number;
  /** Revisions per incident whose derived views are memoised (the latest plus recent "as of"s). */
  revisionsPerIncident?: number;
  /** "As of" folds of the whole ledger kept for list queries. */
  globalAsOfCacheSize?: number;
}

export interface IncidentListQuery {
  q?: string | undefined;
  asOf?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface SourceListQuery {
  asOf?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Views derived from one model, computed on first use; they hold for that revision forever. */
interface RevisionViews {
  readonly model: IncidentModel;
  sourcesVersion: number;
  incident?: IncidentView | undefined;
  facts?: FactsView;
  timeline?: Timeline;
  disputes?: Disputes;
  factHistory: Map<string, FactHistory | undefined>;
  assertionHistory: Map<string, AssertionHistory | undefined>;
}

interface CachedIncident {
  readonly replay: IncidentReplay;
  readonly views: Map<number, RevisionViews>;
  /** The earlier revision read last without being memoised: memoised if the next read asks for it again. */
  lastEarlier?: number | undefined;
  /** The stream being read again to index the replay for "as of" reads, while it is. */
  indexing?: Promise<void> | undefined;
}

interface Loading {
  readonly promise: Promise<CachedIncident | undefined>;
  /** Events that arrived while the stream was being read; merged (idempotently) once it is. */
  readonly buffer: Array<Recorded<IncidentEvent>>;
}

const isIncidentEvent = (e: Recorded): e is Recorded<IncidentEvent> => e.type !== 'SourceRegistered';

/** Re-stamps a memoised view with the instant asked about: the view itself depends only on the revision. */
const stamped = <V extends { asOf: string | null }>(view: V, asOf: Date | undefined): V =>
  asOf === undefined ? view : { ...view, asOf: asOf.toISOString() };

/**
 * The read side's query service. Per incident it keeps the stream folded in an LRU cache (an
 * IncidentReplay: the latest model; once the incident is read "as of", its events and a snapshot
 * every 32), current through the projection runner's events and through `apply`, which the
 * command handler calls right after an append. Current reads answer from the latest model; "as
 * of" reads take the model at the revision the instant falls on, which the replay folds from the
 * snapshot before it. Derived views are memoised per (incident, revision). Lists come from the
 * runner's global models, or, "as of", from a fold of `$all` up to the instant.
 */
export class ReadModels {
  private readonly cache = new Map<string, CachedIncident>();
  private readonly loading = new Map<string, Loading>();
  private readonly globalAsOf = new Map<string, Promise<GlobalReadModels>>();
  /** The global models every few thousand events, for lists "as of". */
  private readonly snapshots = new GlobalSnapshots();
  private readonly unsubscribe: () => void;
  private readonly maxIncidents: number;
  private readonly maxEvents: number;
  private readonly revisionsPerIncident: number;
  private readonly globalAsOfCacheSize: number;

  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    options: ReadModelsOptions = {},
  ) {
    this.maxIncidents = options.maxIncidents ?? 100;
    // About 0.8 KiB an event folded: a few hundred MiB, whatever the incidents' sizes.
    this.maxEvents = options.maxEvents ?? 500_000;
    // The latest and one "as of" revision: a page reading an incident at an instant asks for
    // several views of one revision. More paid little (an "as of" view costs a fraction of a
    // millisecond) and kept each read's young objects alive through collections, which made
    // every young-generation pause longer.
    this.revisionsPerIncident = options.revisionsPerIncident ?? 2;
    this.globalAsOfCacheSize = options.globalAsOfCacheSize ?? 4;
    this.unsubscribe = runner.onApplied((event, stored) => {
      this.offer(event);
      this.snapshots.offer(runner.models, stored.position, event.metadata.recordedAt);
    });
  }

  /** Feed freshly appended events (idempotent by revision). On a gap the incident is dropped and reloaded on next read. */
  apply(events: readonly StoredEvent[]): void {
    for (const stored of events) {
      if (parseStream(stored.stream)?.kind === 'incident') this.offer(upcast(stored));
    }
  }

  /** Stops following the runner. */
  close(): void {
    this.unsubscribe();
  }

  /** How many incidents are cached: for metrics and tests. */
  get cachedIncidents(): number {
    return this.cache.size;
  }

  async incident(id: string, asOf?: Date): Promise<IncidentView | undefined> {
    const views = await this.viewsAt(id, asOf);
    if (!views) return undefined;
    if (!('incident' in views)) views.incident = incidentView(views.model, this.context(id));
    return views.incident && stamped(views.incident, asOf);
  }

  async facts(id: string, asOf?: Date): Promise<FactsView | undefined> {
    const views = await this.viewsAt(id, asOf);
    if (!views) return undefined;
    views.facts ??= factsView(views.model, this.context(id));
    return stamped(views.facts, asOf);
  }

  async timeline(id: string, asOf?: Date): Promise<Timeline | undefined> {
    const views = await this.viewsAt(id, asOf);
    if (!views) return undefined;
    views.timeline ??= timelineView(views.model, this.context(id));
    return stamped(views.timeline, asOf);
  }

  async disputes(id: string, asOf?: Date): Promise<Disputes | undefined> {
    const views = await this.viewsAt(id, asOf);
    if (!views) return undefined;
    views.disputes ??= disputesView(views.model, this.context(id));
    return stamped(views.disputes, asOf);
  }

  /** Undefined when the incident or the fact is unknown (at that instant). */
  async factHistory(id: string, fact: string, asOf?: Date): Promise<FactHistory | undefined> {
    const views = await this.viewsAt(id, asOf);
    if (!views) return undefined;
    if (!views.factHistory.has(fact)) views.factHistory.set(fact, factHistoryView(views.model, fact, this.context(id)));
    const view = views.factHistory.get(fact);
    return view && stamped(view, asOf);
  }

  /** Undefined when the incident or the assertion is unknown (at that instant). */
  async assertionHistory(id: string, assertionId: string, asOf?: Date): Promise<AssertionHistory | undefined> {
    const views = await this.viewsAt(id, asOf);
    if (!views) return undefined;
    if (!views.assertionHistory.has(assertionId)) {
      views.assertionHistory.set(assertionId, assertionHistoryView(views.model, assertionId, this.context(id)));
    }
    const view = views.assertionHistory.get(assertionId);
    return view && stamped(view, asOf);
  }

  async listIncidents(query: IncidentListQuery): Promise<IncidentPage> {
    const models = query.asOf ? await this.globalModelsAt(query.asOf) : this.runner.models;
    const page = models.listIncidents(query);
    return { asOf: query.asOf?.toISOString() ?? null, incidents: page.items, nextCursor: page.nextCursor };
  }

  async listSources(query: SourceListQuery): Promise<SourcePage> {
    const models = query.asOf ? await this.globalModelsAt(query.asOf) : this.runner.models;
    const page = models.listSources(query);
    return { asOf: query.asOf?.toISOString() ?? null, sources: page.items, nextCursor: page.nextCursor };
  }

  private context(incidentId: string): ViewContext {
    return { incidentId, sources: this.runner.models.sources };
  }

  /** The memoised views of an incident at the revision it had at `asOf` (or now); undefined for an unknown incident. */
  private async viewsAt(id: string, asOf: Date | undefined): Promise<RevisionViews | undefined> {
    const cached = await this.cached(id);
    if (!cached) return undefined;
    const revision = cached.replay.revisionAt(asOf);
    const sourcesVersion = this.runner.models.sourcesVersion;
    let views = cached.views.get(revision);
    if (views && views.sourcesVersion !== sourcesVersion) {
      // A source registered since: names in the views may have been missing. Keep the model, redo the views.
      views = { model: views.model, sourcesVersion, factHistory: views.factHistory, assertionHistory: views.assertionHistory };
    }
    if (!views) {
      const earlier = revision < cached.replay.revision;
      if (earlier && !cached.replay.indexed) await this.index(cached, id);
      views = { model: cached.replay.modelAt(revision), sourcesVersion, factHistory: new Map(), assertionHistory: new Map() };
      // An earlier revision is memoised once it is read twice in a row, as a page at an instant
      // reads several views of it. Reads scattered over many instants gain nothing from a memo,
      // and each kept its model and views (about 2 MB at 10,500 events) alive through the next
      // young-generation collection, which then copied them: pauses of 5-10 ms.
      if (earlier && cached.lastEarlier !== revision) {
        cached.lastEarlier = revision;
        return views;
      }
    }
    cached.views.delete(revision);
    cached.views.set(revision, views);
    if (cached.views.size > this.revisionsPerIncident) cached.views.delete(cached.views.keys().next().value!);
    return views;
  }

  private async cached(id: string): Promise<CachedIncident | undefined> {
    const stream = incidentStream(id);
    const hit = this.cache.get(stream);
    if (hit) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.cache.delete(stream);
      this.cache.set(stream, hit);
      return hit;
    }
    let loading = this.loading.get(stream);
    if (!loading) {
      loading = this.load(stream);
      this.loading.set(stream, loading);
    }
    return loading.promise;
  }

  private load(stream: string): Loading {
    const buffer: Array<Recorded<IncidentEvent>> = [];
    const promise = (async () => {
      try {
        const stored = await this.store.readStream(stream);
        if (stored.length === 0) return undefined;
        const replay = new IncidentReplay();
        let complete = true;
        for (const event of [...stored.map(upcast).filter(isIncidentEvent), ...buffer]) {
          if (replay.offer(event) === 'gap') complete = false;
        }
        const entry: CachedIncident = { replay, views: new Map() };
        // A gap between what we read and what arrived meanwhile: answer from the consistent
        // prefix, but do not cache it, so the next read loads again.
        if (complete) this.remember(stream, entry);
        return entry;
      } finally {
        this.loading.delete(stream);
      }
    })();
    return { promise, buffer };
  }

  /**
   * Indexes an incident for reads of earlier revisions (see IncidentReplay.index): its stream
   * read again, one read at a time per incident. Events appended meanwhile were committed before
   * the replay was offered them, so the read reaches the replay's revision; should it not, it is
   * read again, up to three times in all (then the replay's refusal is the read's error).
   */
  private async index(cached: CachedIncident, id: string): Promise<void> {
    cached.indexing ??= (async () => {
      try {
        for (let attempt = 1; ; attempt++) {
          const events = (await this.store.readStream(incidentStream(id))).map(upcast).filter(isIncidentEvent);
          if (cached.replay.indexed) return;
          if (events.length > cached.replay.revision || attempt === 3) {
            cached.replay.index(events);
            this.warm(cached.replay, id);
            return;
          }
        }
      } finally {
        cached.indexing = undefined;
      }
    })();
    await cached.indexing;
  }

  /**
   * Once an incident is indexed for "as of" reads, warms what they share: each snapshot's fact
   * analyses, timeline entries and disputes are memoised on it, so a read between two snapshots
   * works only on the facts its few folded events changed, instead of the first reads near each
   * snapshot paying for all.
   */
  private warm(replay: IncidentReplay, id: string): void {
    const ctx = this.context(id);
    for (const snapshot of replay.snapshotModels) {
      timelineView(snapshot, ctx);
      disputesView(snapshot, ctx);
    }
  }

  private remember(stream: string, entry: CachedIncident): void {
    this.cache.set(stream, entry);
    if (this.cache.size > this.maxIncidents) this.cache.delete(this.cache.keys().next().value!);
    let events = 0;
    for (const cached of this.cache.values()) events += cached.replay.revision + 1;
    // Map order is least recently used first; the entry just remembered is last, and stays.
    for (const [oldest, cached] of this.cache) {
      if (events <= this.maxEvents || cached === entry) break;
      events -= cached.replay.revision + 1;
      this.cache.delete(oldest);
    }
  }

  private offer(event: Recorded): void {
    if (!isIncidentEvent(event)) return;
    const cached = this.cache.get(event.stream);
    if (cached) {
      if (cached.replay.offer(event) === 'gap') this.cache.delete(event.stream);
      return;
    }
    this.loading.get(event.stream)?.buffer.push(event);
  }

  /** The global models folded from `$all` up to `asOf`; a few recent instants are kept. */
  private globalModelsAt(asOf: Date): Promise<GlobalReadModels> {
    // At or after every event applied: the lists as they are now.
    if (this.snapshots.coversAll(asOf)) return Promise.resolve(this.runner.models);
    // Keyed by the runner's position too: an instant in the future still gains events.
    const key = `${asOf.getTime()}@${this.runner.position}`;
    let models = this.globalAsOf.get(key);
    if (!models) {
      const from = this.snapshots.before(asOf);
      models = GlobalReadModels.foldPages(this.ledgerPages(from?.position), asOf, from?.models);
      models.catch(() => this.globalAsOf.delete(key));
      this.globalAsOf.set(key, models);
      if (this.globalAsOf.size > this.globalAsOfCacheSize) this.globalAsOf.delete(this.globalAsOf.keys().next().value!);
    }
    return models;
  }

  /** `$all` as ledger events, after `position` when given. */
  private async *ledgerPages(after?: number): AsyncGenerator<Iterable<Recorded>> {
    for await (const page of readAllInPages(this.store, after === undefined ? {} : { after })) yield ledgerEventsIn(page);
  }
}

/** The page's events on ledger streams, upcast, each as it is taken. */
function* ledgerEventsIn(page: Iterable<StoredEvent>): Generator<Recorded> {
  for (const stored of page) if (parseStream(stored.stream)) yield upcast(stored);
}
