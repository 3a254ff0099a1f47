import { incidentStream, type StoredEvent } from '../../events/index.js';
import { openServices } from '../../src/app/services.js';
import { openSqliteReadOnly } from '../../src/store/sqlite/index.js';
import { collectGarbage, latency, now, percentile, type Latency } from '../measure.js';
import { Prng } from '../prng.js';

export interface QueryLatencies {
  incidentEvents: number;
  /** First read of the incident: load its stream and fold it. */
  coldMs: number;
  /** First "as of" read of it: indexes the incident (reads its stream again and folds it, taking the snapshots). */
  firstAsOfMs: number;
  /** Raw SELECT + JSON.parse of the incident's rows, per call: what reading it at all costs. */
  raw: Latency;
  views: Record<string, { current: Latency; asOf: Latency }>;
  /** Timeline read right after each append (a fresh revision every time). */
  afterAppend: Latency;
  /** The first command on the incident, left out of afterAppend: it loads the incident's decision state. */
  firstAppendMs: number;
  /** The timeline body, for the HTTP constant-body baseline. */
  timelineJson: string;
  fact: string;
  assertionId: string;
}

/** Untimed append-and-read rounds before the timed ones. */
export const WARM_APPENDS = 10;

/** Untimed reads before each timed loop. */
const WARM_READS = 100;

const pickAssertion = (events: readonly StoredEvent[]): string => {
  // The assertion with the longest history: the heaviest assertion-history view.
  const counts = new Map<string, number>();
  for (const e of events) {
    const id = (e.data as { assertionId?: unknown }).assertionId;
    if (typeof id === 'string') counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
};

const pickFact = (events: readonly StoredEvent[]): string => {
  const counts = new Map<string, number>();
  for (const e of events) {
    const fact = (e.data as { fact?: unknown }).fact;
    if (e.type === 'AssertionRecorded' && typeof fact === 'string') counts.set(fact, (counts.get(fact) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
};

/**
 * In-process latency of the read side for one large incident, through the product's own
 * composition (openServices: runner + ReadModels + Ledger): current reads, "as of" reads at
 * random instants across the incident's life, and reads right after an append.
 */
export async function queryLatencies(
  path: string,
  incidentId: string,
  iterations: number,
  appends: number,
  sourceId: string,
  asOfIterations = iterations,
  rawReads = 30,
): Promise<QueryLatencies> {
  const services = await openServices({ store: 'sqlite', dbPath: path });
  try {
    await services.ready;
    const { readModels, store, ledger } = services;
    const stream = incidentStream(incidentId);
    let start = now();
    const first = await readModels.timeline(incidentId);
    const coldMs = now() - start;
    if (!first) throw new Error(`no incident ${incidentId}`);
    // The stream, read here to choose what to query, is dropped before anything is timed.
    const { incidentEvents, fact, assertionId, from, to } = await (async () => {
      const events = await store.readStream(stream);
      // The incident's generated life: events the bench itself appended (actor "bench") come later, in real time.
      const generated = events.filter((e) => e.metadata.actor !== 'bench');
      return {
        incidentEvents: events.length,
        fact: pickFact(events),
        assertionId: pickAssertion(events),
        from: Date.parse(generated[0]!.metadata.recordedAt),
        to: Date.parse(generated[generated.length - 1]!.metadata.recordedAt),
      };
    })();
    const prng = new Prng(99);
    const instants = Array.from({ length: asOfIterations }, () => new Date(from + prng.next() * (to - from)));
    const warm = (i: number): Date => instants[(i + asOfIterations) % asOfIterations]!;
    start = now();
    await readModels.timeline(incidentId, instants[0]!);
    const firstAsOfMs = now() - start;

    const views: QueryLatencies['views'] = {};
    const read: Record<string, (asOf?: Date) => Promise<unknown>> = {
      timeline: (asOf) => readModels.timeline(incidentId, asOf),
      disputes: (asOf) => readModels.disputes(incidentId, asOf),
      factHistory: (asOf) => readModels.factHistory(incidentId, fact, asOf),
      assertionHistory: (asOf) => readModels.assertionHistory(incidentId, assertionId, asOf),
    };
    // Each loop is timed after WARM_READS untimed reads of its kind, so that V8 has compiled what
    // they run: traced with --trace-opt, the first 60 or so "as of" reads ran while Turbofan
    // compiled the fold and view code on the other core (3–18 ms a function), and took 2–7 ms
    // each, against 0.2 ms once compiled. A server answers from compiled code all day.
    for (const [name, fn] of Object.entries(read)) {
      const current = await latency(iterations, () => fn(), Math.min(WARM_READS, iterations));
      const asOf = await latency(asOfIterations, (i) => fn(warm(i)), Math.min(WARM_READS, asOfIterations));
      views[name] = { current, asOf };
    }

    const db = openSqliteReadOnly(path);
    let raw: Latency;
    try {
      const select = db.prepare<[string], { data: string; metadata: string }>('SELECT data, metadata FROM events WHERE stream = ? ORDER BY revision');
      raw = await latency(rawReads, () => {
        for (const row of select.iterate(stream)) {
          JSON.parse(row.data);
          JSON.parse(row.metadata);
        }
      }, 2);
    } finally {
      db.close();
    }

    const timelineJson = JSON.stringify(await readModels.timeline(incidentId));
    const record = (i: number) =>
      ledger.handle(
        incidentId,
        { type: 'RecordAssertion', data: { assertionId: ledger.newId(), fact, value: { type: 'quantity', value: 170_000 + i, approximate: true }, sourceId } },
        { actor: 'bench', correlationId: `bench-${i}` },
      );
    // The first command on the incident loads its decision state (a fold of the whole stream: about
    // 28 MB allocated for 10,500 events), so it is timed apart, like the first read. A full
    // collection follows: without it, the scavenges that promoted that state landed on timed
    // reads, 8–22 ms each (--trace-gc-nvp: 14 MB promoted by one). Then untimed rounds, as every
    // loop has (the first read after a full collection took 4–13 ms, sweeping what it freed).
    start = now();
    await record(-1);
    const firstAppendMs = now() - start;
    collectGarbage();
    for (let i = 0; i < WARM_APPENDS; i++) {
      await record(-2 - i);
      await readModels.timeline(incidentId);
    }
    const afterTimes: number[] = [];
    for (let i = 0; i < appends; i++) {
      await record(i);
      start = now();
      await readModels.timeline(incidentId);
      afterTimes.push(now() - start);
    }
    afterTimes.sort((a, b) => a - b);
    const afterAppend: Latency = { p50: percentile(afterTimes, 50), p99: percentile(afterTimes, 99), max: percentile(afterTimes, 100), samples: afterTimes.length };
    return { incidentEvents, coldMs, firstAsOfMs, raw, views, afterAppend, firstAppendMs, timelineJson, fact, assertionId };
  } finally {
    await services.close();
  }
}
