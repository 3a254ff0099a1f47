import { newUlid } from './new-ulid.js';
import {
  CURRENT_SCHEMA_VERSION,
  incidentStream,
  sourceStream,
  type IncidentEvent,
  type Recorded,
  upcast,
  type LedgerEvent,
  type StoredEvent,
} from '../../events/index.js';
import type { IncidentCommand, RegisterSource } from '../domain/commands.js';
import { decide } from '../domain/incident-decider.js';
import { draftIncident, evolveInPlace, type IncidentDraft, type IncidentState } from '../domain/incident-state.js';
import { decideSource, initialSourceState } from '../domain/source-decider.js';
import { ConcurrencyError } from '../store/errors.js';
import type { EventStore, ExpectedRevision, NewEvent } from '../store/port.js';
import type { CommandContext, Environment } from './context.js';

const isIncidentEvent = (e: Recorded): e is Recorded<IncidentEvent> => e.type !== 'SourceRegistered';

/**
 * Folds stored events past the draft's revision into it, in place. Commands on a stream run one
 * at a time (oneAtATime), yet what another load of the same draft folded during an await is
 * skipped all the same: folding an event twice is never right.
 */
function foldNew(cached: CachedState, events: readonly StoredEvent[]): void {
  for (const stored of events) {
    if (stored.revision <= cached.revision) continue;
    const event = upcast(stored);
    if (isIncidentEvent(event)) evolveInPlace(cached.state, event);
    cached.revision = stored.revision;
  }
}

export interface HandledCommand {
  /** The stream's revision after the append. */
  revision: number;
  position: number;
  events: StoredEvent[];
}

/** How often a command without If-Match is re-decided after losing a race to another writer. */
const MAX_ATTEMPTS = 5;
/** Registered sources remembered by id (see knownSources). */
const MAX_KNOWN_SOURCES = 100_000;

interface CachedState {
  /** The revision of the last event folded into `state`. */
  revision: number;
  readonly state: IncidentDraft;
}

type IncidentCommandInput = IncidentCommand extends infer C ? (C extends { type: 'RecordAssertion' } ? Omit<C, 'sourceRegistered'> : C) : never;

/**
 * Command handling: load the stream, decide, append with the revision the decision was based on.
 * The only place that joins the pure domain to the store.
 */
export class Ledger {
  /**
   * Decision state per incident stream, so a command on a 10,000-event incident reads and folds
   * only what is new. Each draft is advanced in place with events the store holds: read back by
   * `load`, or those an append of this ledger stored (never events merely decided: a failed
   * append leaves it as it was).
   */
  private readonly states = new Map<string, CachedState>();
  /** Sources known to be registered: a registration is never undone, so a yes is final. */
  private readonly knownSources = new Set<string>();
  private readonly listeners = new Set<(events: StoredEvent[]) => void>();
  /** The last command queued on each stream (see oneAtATime). */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    readonly store: EventStore,
    private readonly env: Environment = { now: () => new Date(), newId: () => newUlid() },
    private readonly maxCachedStates = 1_000,
  ) {}

  /** The same ledger on another clock and id source, sharing store, caches and listeners (the demo seeder replays 2021). */
  withEnvironment(env: Environment): Ledger {
    const other = Object.create(this) as Ledger;
    Object.defineProperty(other, 'env', { value: env });
    return other;
  }

  /** A new id for what a command creates: from the write's own sequence when it may be retried. */
  newId(ctx?: CommandContext): string {
    return ctx?.retry?.newId() ?? this.env.newId();
  }

  /** Called with the stored events after every successful append (read models, live updates). */
  onAppended(listener: (events: StoredEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async registerSource(command: RegisterSource, ctx: CommandContext): Promise<HandledCommand> {
    const stream = sourceStream(command.data.sourceId);
    const done = await this.preparedOutcome(ctx);
    if (done) return done;
    const revision = await this.store.streamRevision(stream);
    const events = decideSource(command, revision === -1 ? initialSourceState() : { exists: true });
    return this.append(stream, events, 'no_stream', ctx);
  }

  async sourceExists(sourceId: string): Promise<boolean> {
    if (this.knownSources.has(sourceId)) return true;
    const exists = (await this.store.streamRevision(sourceStream(sourceId))) >= 0;
    if (exists) {
      // Bounded: past the bound, a known source costs one read again.
      if (this.knownSources.size >= MAX_KNOWN_SOURCES) this.knownSources.clear();
      this.knownSources.add(sourceId);
    }
    return exists;
  }

  async handle(incidentId: string, input: IncidentCommandInput, ctx: CommandContext): Promise<HandledCommand> {
    const stream = incidentStream(incidentId);
    const command: IncidentCommand =
      input.type === 'RecordAssertion' ? { ...input, sourceRegistered: await this.sourceExists(input.data.sourceId) } : input;
    return this.oneAtATime(stream, () => this.decideAndAppend(stream, command, ctx));
  }

  /**
   * Commands on one stream run one after another in this process. Without this, with a store that
   * answers asynchronously (EventStoreDB), twenty writers on one incident keep invalidating each
   * other's reads and some exhaust their retries with a 409 they never asked for; the retries
   * below remain for writers in other processes.
   */
  private oneAtATime<T>(stream: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(stream) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(stream, tail);
    void tail.then(() => {
      if (this.queues.get(stream) === tail) this.queues.delete(stream);
    });
    return run;
  }

  private async decideAndAppend(stream: string, command: IncidentCommand, ctx: CommandContext): Promise<HandledCommand> {
    const done = await this.preparedOutcome(ctx);
    if (done) return done;
    // A command first decides on the kept state without reading the stream, when this ledger
    // has kept it up to date. Only another process's write can have made it stale, and each way
    // that would show is checked against the store: an append names the revision it was decided
    // on (a conflict brings a retry, which reads); a refusal is given only on a state just read;
    // an If-Match is compared with the revision just read.
    const expected = ctx.expectedRevision;
    let mustRead = expected !== undefined;
    // Counts the attempts decided on a state just read: a decision on the kept state that lost
    // its race is not one of them, so a stale state costs no retry.
    for (let attempt = 1; ; ) {
      let { revision, state, read } = await this.load(stream, mustRead);
      // An If-Match on an incident that does not exist names nothing to be stale against: the
      // decider's incident-not-found (a 404) answers it, not a 409.
      if (expected !== undefined && expected !== revision && (state.exists || command.type === 'OpenIncident')) {
        throw new ConcurrencyError(stream, expected, revision);
      }
      let events: LedgerEvent[];
      try {
        events = decide(command, state);
      } catch (refusal) {
        if (read) throw refusal;
        ({ revision, state, read } = await this.load(stream, true));
        events = decide(command, state);
      }
      try {
        const handled = await this.append(stream, events, revision === -1 ? 'no_stream' : revision, ctx);
        this.advance(stream, handled.events);
        return handled;
      } catch (error) {
        // Someone appended between our read and our write: decide again on the fresh state,
        // unless the client pinned a revision with If-Match (then the conflict is theirs to see).
        if (!(error instanceof ConcurrencyError) || expected !== undefined) throw error;
        mustRead = true;
        if (read && attempt++ >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * The decision state of an incident stream, folding only the events not yet seen, including
   * those another writer (process) appended. The state is the cache's own draft, not a copy: use
   * it before the next await (decide is synchronous), since a later load advances it in place.
   */
  private async load(stream: string, mustRead: boolean): Promise<{ revision: number; state: IncidentState; read: boolean }> {
    const kept = this.states.get(stream);
    if (kept && !mustRead) {
      this.remember(stream, kept);
      return { revision: kept.revision, state: kept.state, read: false };
    }
    const cached = kept ?? { revision: -1, state: draftIncident() };
    const fresh = await this.store.readStream(stream, { fromRevision: cached.revision + 1 });
    try {
      foldNew(cached, fresh);
    } catch (error) {
      // An event that cannot be read or applied: forget the draft rather than trust it half-changed.
      if (this.states.get(stream) === cached) this.states.delete(stream);
      throw error;
    }
    // Also after an eviction during the await: the draft is still right for its revision. A stream
    // that does not exist is not cached, so commands on made-up ids cannot evict real incidents.
    if (cached.revision >= 0) this.remember(stream, cached);
    return { revision: cached.revision, state: cached.state, read: true };
  }

  /**
   * Folds what an append of this ledger stored into the kept state, when it follows on from it
   * (the state is then up to date as far as this process knows). Anything else (no state kept,
   * events from elsewhere in between) is left for the next read.
   */
  private advance(stream: string, stored: readonly StoredEvent[]): void {
    const cached = this.states.get(stream);
    if (!cached || stored[0]?.revision !== cached.revision + 1) return;
    try {
      foldNew(cached, stored);
    } catch {
      // The same events will be read back and fail there, with the error the caller can see.
      this.states.delete(stream);
    }
  }

  private remember(stream: string, cached: CachedState): void {
    this.states.delete(stream);
    this.states.set(stream, cached);
    // Map iteration order is insertion order: the first key is the least recently used.
    if (this.states.size > this.maxCachedStates) this.states.delete(this.states.keys().next().value!);
  }

  /**
   * A retried write whose earlier attempt noted its append: what that append stored, when the
   * stream holds it (the attempt got that far before dying), so it is answered and not made twice.
   */
  private async preparedOutcome(ctx: CommandContext): Promise<HandledCommand | undefined> {
    const prepared = ctx.retry?.prepared;
    if (!prepared) return undefined;
    const events = await this.store.readStream(prepared.stream, { fromRevision: prepared.firstRevision, maxCount: prepared.count });
    if (events[0]?.metadata.eventId !== prepared.firstEventId || events.length !== prepared.count) return undefined;
    const last = events[events.length - 1]!;
    return { revision: last.revision, position: last.position, events };
  }

  private async append(stream: string, events: LedgerEvent[], expected: ExpectedRevision, ctx: CommandContext): Promise<HandledCommand> {
    const recordedAt = this.env.now().toISOString();
    const toAppend: NewEvent[] = events.map((event) => ({
      type: event.type,
      data: event.data,
      metadata: {
        eventId: this.newId(ctx),
        recordedAt,
        actor: ctx.actor,
        correlationId: ctx.correlationId,
        causationId: ctx.causationId ?? ctx.correlationId,
        schemaVersion: CURRENT_SCHEMA_VERSION[event.type],
      },
    }));
    const first = toAppend[0];
    if (first && ctx.retry) {
      const firstRevision = expected === 'no_stream' ? 0 : typeof expected === 'number' ? expected + 1 : undefined;
      if (firstRevision !== undefined) ctx.retry.prepare({ stream, firstRevision, firstEventId: first.metadata.eventId, count: toAppend.length });
    }
    const result = await this.store.append(stream, toAppend, expected);
    for (const listener of this.listeners) listener(result.events);
    return { revision: result.nextExpectedRevision, position: result.position, events: result.events };
  }
}
