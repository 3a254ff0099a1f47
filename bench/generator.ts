import {
  CURRENT_SCHEMA_VERSION,
  incidentStream,
  sourceStream,
  type Citation,
  type LedgerEvent,
  type Value,
} from '../events/index.js';
import type { NewEvent } from '../src/store/port.js';
import { Prng, seededUlid } from './prng.js';

/**
 * A synthetic ledger that looks like the real thing: shared sources, many small incidents and a
 * handful of very large ones, assertions with every value type (some facts corroborated, some
 * disputed), corrections, retractions, assessments and revised details, interleaved in global
 * order as editors would produce them. Deterministic: the same shape gives the same events.
 */
export interface LedgerShape {
  /** Total events, sources included. */
  events: number;
  bigIncidents: number;
  /** Events in each big incident (opening included). */
  bigIncidentEvents: number;
  sources: number;
  seed: number;
  /** recordedAt of the first event, epoch ms. */
  startMs: number;
}

/** One append: a command's events on one stream. */
export interface Batch {
  stream: string;
  events: NewEvent[];
}

type ValueKind = Value['type'];

interface FactSpec {
  key: string;
  kind: ValueKind;
  contested: boolean;
  base: number;
  unit: string | undefined;
  /** The few sources that speak to this fact; a source's later assertion supersedes its earlier one. */
  speakers: string[];
}

interface AssertionInfo {
  fact: FactSpec;
  value: Value;
}

const FACT_STEMS: ReadonlyArray<[string, ValueKind, string | undefined]> = [
  ['users.worldwide', 'quantity', 'users'],
  ['messages.per-day', 'quantity', 'messages'],
  ['messages.intercepted', 'quantity', 'messages'],
  ['users.monitored', 'quantity', 'users'],
  ['arrests', 'quantity', 'people'],
  ['seizures.cash', 'quantity', 'EUR'],
  ['devices.seized', 'quantity', 'devices'],
  ['encryption.compromised', 'boolean', undefined],
  ['devices.hacked', 'boolean', undefined],
  ['server.location', 'text', undefined],
  ['method', 'text', undefined],
  ['operator.statement', 'text', undefined],
  ['searches', 'date', undefined],
  ['investigation.opened', 'date', undefined],
  ['monitoring.started', 'date', undefined],
  ['takedown', 'date', undefined],
];

const TEXTS: Record<string, string[]> = {
  'server.location': ['Roubaix, France', 'a data centre in northern France', 'Canada'],
  method: ['the encryption was unlocked', 'a man-in-the-middle update', 'no authorized device was hacked'],
  'operator.statement': ['Sky ECC denies any breach', 'the company says a fake app was used', 'no comment'],
};

const DATES = ['2021-03-09', '2021-03', '2021-03-09/2021-03-10', '2021-02~', '2019-07-20/..', '2020-06-15', '2021?', '2022-01-15'];
const VALID_TIMES = ['2021-03-09', '2021-02~', '2019-07-20/..', '2021-03', '2021-02-15/2021-03-09', '2020', '2021-03-10T06:00:00Z'];
const LANGUAGES = ['en', 'fr', 'nl', 'de', 'fr-BE'];
const SOURCE_NAMES = ['Europol', 'Sky ECC', 'Le Soir', 'De Standaard', 'Le Monde', 'Reuters', 'Belgian Federal Prosecutor', 'Dutch Police', 'Agence France-Presse', 'Politico Europe'];
const SOURCE_KINDS = ['agency', 'company', 'newspaper', 'person', 'court', 'wire service'];
const ACTORS = ['editor-ana', 'editor-bram', 'reporter-chloe', 'reporter-dirk', 'reporter-eva', 'importer'];
const REASONS = ['figure mistyped from the article', 'wrong date copied', 'source clarified its statement', 'filed under the wrong fact', 'quote trimmed to the relevant sentence'];
const QUOTES = [
  'Europol said investigators had unlocked the encryption of Sky ECC.',
  'Sky ECC affirme qu’aucun appareil autorisé n’a été piraté.',
  'Les enquêteurs ont pu surveiller des centaines de millions de messages.',
  'Het parket spreekt van ongeveer 170.000 gebruikers wereldwijd.',
  'Around three million messages were exchanged every day.',
  'Seit Mitte Februar wurden rund 70.000 Nutzer überwacht.',
];

const round = (n: number): number => Math.round(n);
/** 170000 → "170,000" without Intl, which is slow enough to show in the generator's profile. */
const grouped = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export class LedgerGenerator {
  readonly sourceIds: string[] = [];
  readonly bigIncidentIds: string[] = [];
  /** Sources registered late, interleaved with the incidents. */
  private readonly lateSourceIds: string[] = [];
  private readonly sizes: number[] = [];
  private readonly ids: Prng;

  constructor(readonly shape: LedgerShape) {
    const { events, bigIncidents, bigIncidentEvents, sources } = shape;
    if (sources < 2) throw new RangeError('a ledger needs at least two sources');
    const incidentBudget = events - sources - bigIncidents * bigIncidentEvents;
    if (incidentBudget < 0) throw new RangeError(`${events} events cannot hold ${bigIncidents} incidents of ${bigIncidentEvents} and ${sources} sources`);
    this.ids = new Prng(shape.seed ^ 0x5eed);
    for (let i = 0; i < sources; i++) this.sourceIds.push(seededUlid(shape.startMs, this.ids));
    const late = Math.floor(sources * 0.2);
    this.lateSourceIds.push(...this.sourceIds.splice(sources - late, late));
    for (let i = 0; i < bigIncidents; i++) {
      this.bigIncidentIds.push(seededUlid(shape.startMs, this.ids));
      this.sizes.push(bigIncidentEvents);
    }
    // Small incidents: exponentially distributed sizes, most a few dozen events, some hundreds.
    const sizer = new Prng(shape.seed ^ 0x512e);
    let left = incidentBudget;
    while (left > 0) {
      let size = Math.min(left, 8 + Math.floor(-Math.log(1 - sizer.next()) * 120));
      if (left - size > 0 && left - size < 2) size = left;
      this.sizes.push(size);
      left -= size;
    }
  }

  /** How many incidents the ledger holds. */
  get incidentCount(): number {
    return this.sizes.length;
  }

  /** Every source id, the late ones included. */
  get allSourceIds(): string[] {
    return [...this.sourceIds, ...this.lateSourceIds];
  }

  /** The appends, in global order. */
  *batches(): Generator<Batch> {
    const prng = new Prng(this.shape.seed);
    const ids = new Prng(this.shape.seed ^ 0x1d5);
    let clock = this.shape.startMs;
    const registered: string[] = [];
    const meta = (type: LedgerEvent['type'], correlationId: string, actor: string): NewEvent['metadata'] => ({
      eventId: seededUlid(clock, ids),
      recordedAt: new Date(clock).toISOString(),
      actor,
      correlationId,
      causationId: correlationId,
      schemaVersion: CURRENT_SCHEMA_VERSION[type],
    });
    const register = (sourceId: string, n: number): Batch => {
      clock += prng.int(1_000, 30_000);
      const correlationId = seededUlid(clock, ids);
      const lang = prng.pick(LANGUAGES);
      const data = {
        sourceId,
        name: `${SOURCE_NAMES[n % SOURCE_NAMES.length]!} ${Math.floor(n / SOURCE_NAMES.length) + 1}`,
        kind: prng.pick(SOURCE_KINDS),
        ...(prng.chance(0.7) ? { url: `https://source${n}.example.org/` } : {}),
        ...(prng.chance(0.8) ? { language: lang } : {}),
      };
      registered.push(sourceId);
      return { stream: sourceStream(sourceId), events: [{ type: 'SourceRegistered', data, metadata: meta('SourceRegistered', correlationId, prng.pick(ACTORS)) }] };
    };

    let sourceNo = 0;
    for (const id of this.sourceIds) yield register(id, sourceNo++);

    const total = this.shape.events;
    let emitted = this.sourceIds.length;
    const lateEvery = Math.floor(total / (this.lateSourceIds.length + 1));
    let lateNext = 0;

    const queue = this.sizes.map((size, i) => ({ size, id: this.bigIncidentIds[i] }));
    let queued = 0;
    const active: IncidentGen[] = [];
    const MAX_ACTIVE = 40;
    while (queued < queue.length || active.length > 0) {
      while (active.length < MAX_ACTIVE && queued < queue.length) {
        const { size, id } = queue[queued++]!;
        const big = size >= 2_000;
        active.push(new IncidentGen(id ?? seededUlid(clock, this.ids), size, big ? 250 : 3 + Math.min(40, Math.floor(size / 8)), big ? 30 : prng.int(3, 12), prng));
      }
      const slot = Math.floor(prng.next() * active.length);
      const incident = active[slot]!;
      const r = prng.next();
      const wanted = r < 0.5 ? 1 : r < 0.8 ? prng.int(2, 10) : prng.int(20, 100);
      const count = Math.min(wanted, incident.remaining);
      clock += prng.int(1_000, 90_000);
      const correlationId = seededUlid(clock, ids);
      const actor = prng.pick(ACTORS);
      const events: NewEvent[] = [];
      for (let i = 0; i < count; i++) {
        const event = incident.next(prng, registered);
        events.push({ type: event.type, data: event.data, metadata: meta(event.type, correlationId, actor) });
      }
      yield { stream: incident.stream, events };
      emitted += count;
      if (incident.remaining === 0) active.splice(slot, 1);
      while (lateNext < this.lateSourceIds.length && emitted >= (lateNext + 1) * lateEvery) {
        yield register(this.lateSourceIds[lateNext]!, sourceNo++);
        lateNext++;
        emitted++;
      }
    }
    while (lateNext < this.lateSourceIds.length) yield register(this.lateSourceIds[lateNext++]!, sourceNo++);
  }
}

/** One incident's own story: its facts, its live assertions, what an editor may do next. */
class IncidentGen {
  readonly stream: string;
  private emitted = 0;
  private readonly facts: FactSpec[] = [];
  private readonly assertions = new Map<string, AssertionInfo>();
  private readonly live: string[] = [];
  private readonly liveByFact = new Map<string, string[]>();
  /** The sources this incident's story draws on, chosen at its first assertion. */
  private pool: string[] = [];
  private nonce = 0;

  constructor(
    readonly id: string,
    private readonly size: number,
    factCount: number,
    private readonly poolSize: number,
    prng: Prng,
  ) {
    this.stream = incidentStream(id);
    for (let i = 0; i < factCount; i++) {
      const [stem, kind, unit] = FACT_STEMS[i % FACT_STEMS.length]!;
      const region = Math.floor(i / FACT_STEMS.length);
      this.facts.push({
        key: region === 0 ? stem : `${stem}.region-${region}`,
        kind,
        contested: prng.chance(0.3),
        base: [170_000, 3_000_000, 500_000_000, 70_000, 48, 1_200_000, 1_100][i % 7]! * (1 + region),
        unit,
        speakers: [],
      });
    }
  }

  get remaining(): number {
    return this.size - this.emitted;
  }

  next(prng: Prng, sources: readonly string[]): LedgerEvent {
    const event = this.decide(prng, sources);
    this.emitted++;
    return event;
  }

  private decide(prng: Prng, sources: readonly string[]): LedgerEvent {
    if (this.emitted === 0) {
      return { type: 'IncidentOpened', data: { incidentId: this.id, title: `Incident ${this.id.slice(-6)}: encrypted phone network dismantled`, summary: 'Synthetic incident for the benchmark.' } };
    }
    const r = prng.next();
    if (r < 0.01) {
      return { type: 'IncidentDetailsRevised', data: { incidentId: this.id, title: `Incident ${this.id.slice(-6)}, revision ${++this.nonce}`, reason: prng.pick(REASONS) } };
    }
    if (r < 0.72 || this.live.length < 4) return this.record(prng, sources);
    if (r < 0.86) return this.correct(prng);
    if (r < 0.93) return this.retract(prng);
    return this.assess(prng) ?? this.record(prng, sources);
  }

  private record(prng: Prng, sources: readonly string[]): LedgerEvent {
    // Early facts are asserted more often, as the headline figures of a story are.
    const fact = this.facts[Math.floor(this.facts.length * prng.next() ** 2)]!;
    if (this.pool.length === 0) {
      const shuffled = [...sources].sort(() => prng.next() - 0.5);
      this.pool = shuffled.slice(0, Math.min(this.poolSize, shuffled.length));
    }
    if (fact.speakers.length === 0 || (fact.speakers.length < 6 && prng.chance(0.15))) {
      const newcomer = prng.pick(this.pool);
      if (!fact.speakers.includes(newcomer)) fact.speakers.push(newcomer);
    }
    const assertionId = seededUlid(1_600_000_000_000 + this.assertions.size, prng);
    const value = valueFor(fact, prng, this.nonce++);
    this.track(assertionId, { fact, value });
    const citation: Citation | undefined = prng.chance(0.7)
      ? { url: `https://news.example.org/${this.id.slice(-8).toLowerCase()}/${this.nonce}`, title: 'Operation on the encrypted network', publishedAt: prng.pick(['2021-03-10', '2021-03-11', '2021-03']), language: prng.pick(LANGUAGES) }
      : undefined;
    return {
      type: 'AssertionRecorded',
      data: {
        assertionId,
        fact: fact.key,
        value,
        sourceId: prng.pick(fact.speakers),
        ...(prng.chance(0.6) ? { validTime: prng.pick(VALID_TIMES) } : {}),
        ...(citation ? { citation } : {}),
        ...(prng.chance(0.6) ? { quote: prng.pick(QUOTES) } : {}),
      },
    };
  }

  private correct(prng: Prng): LedgerEvent {
    const assertionId = prng.pick(this.live);
    const info = this.assertions.get(assertionId)!;
    const r = prng.next();
    if (r < 0.05) {
      // Filed under the wrong fact: move it to another fact of the same kind.
      const target = this.facts.filter((f) => f.kind === info.fact.kind && f.key !== info.fact.key);
      if (target.length > 0) {
        const fact = prng.pick(target);
        this.untrack(assertionId);
        this.track(assertionId, { fact, value: info.value });
        return { type: 'AssertionCorrected', data: { assertionId, reason: prng.pick(REASONS), fact: fact.key } };
      }
    }
    if (r < 0.25) {
      return { type: 'AssertionCorrected', data: { assertionId, reason: prng.pick(REASONS), validTime: `${2015 + (this.nonce++ % 10)}-0${1 + (this.nonce % 9)}` } };
    }
    const value = changed(info, this.nonce++);
    info.value = value;
    return { type: 'AssertionCorrected', data: { assertionId, reason: prng.pick(REASONS), value, ...(prng.chance(0.2) ? { quote: prng.pick(QUOTES) } : {}) } };
  }

  private retract(prng: Prng): LedgerEvent {
    const assertionId = prng.pick(this.live);
    this.untrack(assertionId);
    return { type: 'AssertionRetracted', data: { assertionId, reason: prng.pick(['the source withdrew the claim', 'recorded in error', 'duplicate of another assertion']) } };
  }

  private assess(prng: Prng): LedgerEvent | undefined {
    for (let tries = 0; tries < 5; tries++) {
      const fact = this.facts[Math.floor(this.facts.length * prng.next() ** 2)]!;
      const live = this.liveByFact.get(fact.key) ?? [];
      if (live.length < 2) continue;
      const preferred = [prng.pick(live)];
      if (live.length > 2 && prng.chance(0.3)) preferred.push(live.find((a) => a !== preferred[0])!);
      return { type: 'FactAssessed', data: { fact: fact.key, preferred, rationale: 'the primary source is the prosecutor’s official statement' } };
    }
    return undefined;
  }

  private track(assertionId: string, info: AssertionInfo): void {
    this.assertions.set(assertionId, info);
    this.live.push(assertionId);
    const list = this.liveByFact.get(info.fact.key);
    if (list) list.push(assertionId);
    else this.liveByFact.set(info.fact.key, [assertionId]);
  }

  private untrack(assertionId: string): void {
    const info = this.assertions.get(assertionId)!;
    removeFrom(this.live, assertionId);
    removeFrom(this.liveByFact.get(info.fact.key) ?? [], assertionId);
  }
}

function removeFrom(list: string[], item: string): void {
  const i = list.indexOf(item);
  if (i < 0) return;
  list[i] = list[list.length - 1]!;
  list.pop();
}

/** A value for the fact: agreeing ones for an uncontested fact, sometimes conflicting ones for a contested one. */
function valueFor(fact: FactSpec, prng: Prng, nonce: number): Value {
  const conflict = fact.contested && prng.chance(0.5);
  switch (fact.kind) {
    case 'quantity': {
      const unit = fact.unit ? { unit: fact.unit } : {};
      const b = conflict ? fact.base * prng.pick([0.001, 10, 1000]) : fact.base;
      const form = prng.int(0, 3);
      if (form === 0) return { type: 'quantity', value: b, ...unit };
      if (form === 1) return { type: 'quantity', value: b, approximate: true, text: `around ${grouped(b)}`, ...unit };
      if (form === 2) return { type: 'quantity', min: round(b * 0.95), text: `at least ${grouped(b * 0.95)}`, ...unit };
      return { type: 'quantity', min: round(b * 0.5), max: round(b * 5), text: `hundreds of ${fact.unit ?? 'things'} (${nonce})`, ...unit };
    }
    case 'boolean':
      return { type: 'boolean', value: conflict ? prng.chance(0.5) : true };
    case 'text': {
      const options = TEXTS[fact.key.split('.region-')[0]!] ?? ['unspecified'];
      const text = conflict ? prng.pick(options) : options[0]!;
      // Case and spacing differ between sources yet compare equal.
      return { type: 'text', value: prng.chance(0.3) ? `  ${text.toUpperCase()} ` : text };
    }
    case 'date':
      return { type: 'date', value: conflict ? prng.pick(DATES) : prng.pick(['2021-03-09', '2021-03']) };
  }
}

/** A corrected value that certainly differs from the current one. */
function changed(info: AssertionInfo, nonce: number): Value {
  const v = info.value;
  switch (v.type) {
    case 'quantity':
      return { type: 'quantity', value: (v.value ?? v.min ?? v.max ?? info.fact.base) + 1 + (nonce % 97), ...(v.unit ? { unit: v.unit } : {}) };
    case 'boolean':
      return { type: 'boolean', value: !v.value };
    case 'text':
      return { type: 'text', value: `${v.value.trim()} (corrected ${nonce})` };
    case 'date':
      return { type: 'date', value: v.value === '2021-03-10' ? '2021-03-11' : '2021-03-10' };
  }
}
