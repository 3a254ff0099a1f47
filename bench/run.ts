import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { turnOffPretenuring } from '../src/app/heap-tuning.js';
import { openSqliteReadOnly } from '../src/store/sqlite/index.js';
import { parseArgs, type BenchConfig } from './config.js';
import { appendThroughStore, firstBatches, firstEvents, inBatchesOf, rawInserts, type Appended } from './figures/append.js';
import { httpFigures } from './figures/http.js';
import { emmettAppends, emmettReads, readStreams } from './figures/peer.js';
import { queryLatencies, WARM_APPENDS } from './figures/queries.js';
import { DEFAULT_SNAPSHOT_EVERY } from '../projections/incident-replay.js';
import { incidentStreams, rawDecode, rebuildAll, rebuildGlobal, verifyByStream, verifyProduct } from './figures/replay.js';
import { startServices } from './figures/restart.js';
import { LedgerGenerator, type Batch } from './generator.js';
import { collectGarbage, figure, log, machine, now, percentile, perSecond, type Figure, type Pass } from './measure.js';
import { writeReport, type Report } from './report.js';

const rate = (p: Pass | Appended): number => perSecond(p.events, p.ms);
/** The faster of two runs of the same work. */
const fastest = <P extends Pass>(a: P | undefined, b: P): P => (a && a.ms <= b.ms ? a : b);

/**
 * One pass over the ledger, run once a round: its fastest run, and the median of each round's own
 * ratio (the pass against the raw run of its round), which one lucky run on either side moves less
 * than it moves a best-of.
 */
class PassRounds<P extends Pass> {
  private fastestRun: P | undefined;
  private readonly ratios: number[] = [];

  constructor(private readonly run: () => P | Promise<P>) {}

  /** The latest round's run, for the log. */
  last: Pass | undefined;

  async round(raw: Pass): Promise<void> {
    const pass = await this.run();
    this.last = pass;
    this.ratios.push(rate(pass) / rate(raw));
    this.fastestRun = fastest(this.fastestRun, pass);
  }

  get best(): P {
    if (!this.fastestRun) throw new Error('no round was run');
    return this.fastestRun;
  }

  get pairedMedian(): number {
    return percentile([...this.ratios].sort((a, b) => a - b), 50);
  }
}
const n = (x: number): string => x.toLocaleString('en');
const ms = (pass: Pass | undefined): string => (pass ? `${Math.round(pass.ms)} ms` : '-');

function ledgerStats(path: string): Pick<Report['ledger'], 'eventTypes' | 'valueTypes' | 'sources' | 'incidents' | 'events'> {
  const db = openSqliteReadOnly(path);
  try {
    const group = (sql: string): Record<string, number> =>
      Object.fromEntries(db.prepare<[], { k: string; n: number }>(sql).all().map((r) => [r.k, r.n]));
    const eventTypes = group('SELECT type AS k, count(*) AS n FROM events GROUP BY type ORDER BY n DESC');
    const valueTypes = group(`SELECT json_extract(data, '$.value.type') AS k, count(*) AS n FROM events WHERE k IS NOT NULL GROUP BY k ORDER BY n DESC`);
    const count = (sql: string): number => db.prepare<[], number>(sql).pluck().get() ?? 0;
    return {
      eventTypes,
      valueTypes,
      events: count('SELECT count(*) FROM events'),
      sources: count(`SELECT count(DISTINCT stream) FROM events WHERE stream LIKE 'source-%'`),
      incidents: count(`SELECT count(DISTINCT stream) FROM events WHERE stream LIKE 'incident-%'`),
    };
  } finally {
    db.close();
  }
}

const fileMiB = (path: string): number => ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(path + suffix) ? statSync(path + suffix).size : 0), 0) / 2 ** 20;

/** Runs every figure for `config` and writes BENCHMARKS.md and the JSON report. */
export async function runBench(config: BenchConfig): Promise<Report> {
  const startedAt = new Date();
  const load0 = loadavg()[0]!;
  const t0 = now();
  const dir = config.workDir ?? mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  mkdirSync(dir, { recursive: true });
  const path = (name: string): string => join(dir, name);
  const remove = (name: string): void => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(path(name + suffix), { force: true });
  };
  for (const name of ['ledger.db', 'raw-build.db', 'single-ours.db', 'single-raw.db', 'batch-ours.db', 'batch-raw.db', 'emmett-single.db', 'emmett-batch.db', 'peer-single.db', 'peer-batch.db', 'empty.db']) remove(name);
  // Appends of a set of events through the store and of the same rows raw, in turn, each into
  // fresh files, `config.appendRounds` times: the best of each side (one run each was at the mercy of
  // whatever else the machine ran at that moment).
  const appendRounds = async (batches: readonly Batch[], name: string): Promise<{ ours: Appended; raw: Appended }> => {
    let best: { ours: Appended; raw: Appended } | undefined;
    for (let i = 0; i < config.appendRounds; i++) {
      remove(`${name}-ours.db`);
      remove(`${name}-raw.db`);
      const ours = await appendThroughStore(path(`${name}-ours.db`), batches);
      const raw = rawInserts(path(`${name}-ours.db`), path(`${name}-raw.db`), ours.sizes);
      best = { ours: fastest(best?.ours, ours), raw: fastest(best?.raw, raw) };
    }
    return best!;
  };
  const figures: Figure[] = [];
  const notes: string[] = [];
  const gen = new LedgerGenerator(config.shape);
  log(`${config.mode} run: ${n(config.shape.events)} events into ${dir}`);

  try {
    // Append: the whole ledger as produced, then one event per append, then batches of 100.
    log('building the ledger through the store port');
    const built = await appendThroughStore(path('ledger.db'), gen.batches());
    const rawBuilt = rawInserts(path('ledger.db'), path('raw-build.db'), built.sizes);
    rmSync(path('raw-build.db'), { force: true });
    rmSync(path('raw-build.db-wal'), { force: true });
    const meanBatch = built.events / built.appends;
    // Described as built: later figures append to the big incident.
    const stats = ledgerStats(path('ledger.db'));
    const bigIncidents = incidentStreams(path('ledger.db'))
      .slice(0, config.shape.bigIncidents)
      .map(({ id, events }) => ({ id, events }));
    const databaseMiB = fileMiB(path('ledger.db'));
    const appendTarget = { text: '≥ 0.5 of raw better-sqlite3 inserts', test: ({ ratio }: { ratio: number }) => ratio >= 0.5 };

    log('one event per append');
    const singles = firstEvents(gen, config.singleAppends);
    const { ours: singleOurs, raw: singleRaw } = await appendRounds(singles, 'single');
    figures.push(
      figure('rate', {
        id: 'append.single',
        figure: 'Append, one event per append (store port)',
        ours: rate(singleOurs),
        baseline: rate(singleRaw),
        unit: 'events/s',
        baselineLabel: 'raw better-sqlite3 INSERT, one per transaction',
        events: singleOurs.events,
        target: appendTarget,
        note: `SqliteEventStore.append of one event, expected revision \`any\`, vs a prepared INSERT of the very rows it wrote, one BEGIN IMMEDIATE…COMMIT each; both WAL with synchronous=FULL, so both wait for an fsync per commit. Best of ${config.appendRounds} rounds on each side, in turn, each into fresh files.`,
      }),
    );

    log('batches of 100 events per append');
    const batches = inBatchesOf(gen, config.peerEvents, 100);
    const { ours: batchOurs, raw: batchRaw } = await appendRounds(batches, 'batch');
    figures.push(
      figure('rate', {
        id: 'append.batch100',
        figure: 'Append, batches of 100 events (store port)',
        ours: rate(batchOurs),
        baseline: rate(batchRaw),
        unit: 'events/s',
        baselineLabel: 'raw INSERTs, same rows, same transactions',
        events: batchOurs.events,
        target: appendTarget,
        note: `The first ${n(config.peerEvents)} events of the ledger regrouped by stream into appends of up to 100 (${n(batchOurs.appends)} appends). Ours seals each event (RFC 8785 canonical JSON + SHA-256 chain) and serialises it; the baseline inserts the already-serialised rows. Best of ${config.appendRounds} rounds on each side, in turn, each into fresh files.`,
      }),
    );
    figures.push(
      figure('rate', {
        id: 'append.build',
        figure: `Append, whole ledger as produced (appends of 1–100 events, mean ${number1(meanBatch)})`,
        ours: rate(built),
        baseline: rate(rawBuilt),
        unit: 'events/s',
        baselineLabel: 'raw INSERTs, same rows, same transactions',
        events: built.events,
        target: appendTarget,
        note: 'The synthetic ledger in global order, each command one append, as the API would write it; generation time is not counted.',
      }),
    );

    // Starting: cold (no checkpoint, no log yet), then a restart from the checkpoint it saved.
    log('first start (folds from zero and builds the ledger log), then a restart');
    const cold = await startServices(path('ledger.db'));
    const warm = await startServices(path('ledger.db'));

    log('raw decode, projection rebuilds, verify');
    rawDecode(path('ledger.db')); // warm the page cache for every reader alike
    // Each round runs the raw loop once, then each pass over the ledger once; each pass keeps its
    // fastest round and the baseline is the fastest raw run: the same treatment for ours and the
    // baseline, and a stall on the shared machine spoils one round, not a figure. The four passes
    // share the raw runs, so they share their baseline too (one raw run per pass would give four
    // baselines, each with its own chance of a lucky run). Every pass, the raw loop too, starts
    // after a full collection: none pays for collecting what the one before it left (a rebuild
    // leaves its models, tens of MiB, to the pass after it).
    const rounds = config.passRounds;
    const ledger = path('ledger.db');
    const all = new PassRounds(() => rebuildAll(ledger));
    const global = new PassRounds(() => rebuildGlobal(ledger));
    const verified = new PassRounds(() => verifyProduct(ledger));
    const byStream = new PassRounds(() => verifyByStream(ledger));
    let raw: Pass | undefined;
    for (let i = 0; i < rounds; i++) {
      const r = rawDecode(ledger);
      raw = fastest(raw, r);
      for (const pass of [all, global, verified, byStream]) await pass.round(r);
      log(`  round ${i + 1}: raw ${ms(r)}, rebuild ${ms(all.last)}, runner ${ms(global.last)}, verify ${ms(verified.last)}, by stream ${ms(byStream.last)}`);
    }
    const rawBest = raw!;
    const roundsNote = `Best of ${rounds} rounds; each round runs the raw loop, then this pass and the other three passes over the ledger; the baseline is the best raw run, shared by the four.`;
    const rawLabel = 'raw SELECT + JSON.parse loop, same rows';
    const rebuildTarget = { text: '≥ 0.5 of the raw decode loop', test: ({ ratio }: { ratio: number }) => ratio >= 0.5 };
    figures.push(
      figure('rate', {
        id: 'rebuild.all',
        figure: 'Projection rebuild, all read models from position 0',
        ours: rate(all.best),
        baseline: rate(rawBest),
        unit: 'events/s',
        baselineLabel: rawLabel,
        events: all.best.events,
        target: rebuildTarget,
        extra: { 'heap MiB': all.best.heapMiB, 'paired median ratio': all.pairedMedian },
        note: `One pass over \`$all\` through the store port: upcast, the global models (incident list, source directory) and, for each of the ${n(all.best.incidents)} incidents, the IncidentReplay its timeline, disputes and histories are read from, as ReadModels builds it when it loads an incident: the latest model folded, the events not kept. Not included: the index "as of" reads need, built on an incident's first "as of" read (its stream read again and folded again, a snapshot taken every ${DEFAULT_SNAPSHOT_EVERY} events; see the query rows' note for what that read costs), and fact analyses, computed on first read and memoised. Heap is what the models hold afterwards. ${roundsNote}`,
      }),
    );
    figures.push(
      figure('rate', {
        id: 'rebuild.global',
        figure: 'Projection runner from position 0 (incident list, source directory)',
        ours: rate(global.best),
        baseline: rate(rawBest),
        unit: 'events/s',
        baselineLabel: rawLabel,
        events: global.best.events,
        target: rebuildTarget,
        extra: { 'paired median ratio': global.pairedMedian },
        note: `ProjectionRunner.start() with an empty checkpoint store, as a server with no checkpoint starts (default configuration: the checkpoint is saved on catching up, not every 1,000 events of the catch-up). Incident models are folded on first read, per incident. ${roundsNote}`,
      }),
    );
    if (!verified.best.ok) throw new Error('verify failed on the benchmark ledger');
    const verifyTarget = { text: '≥ 0.5 of the raw decode loop', test: ({ ratio }: { ratio: number }) => ratio >= 0.5 };
    figures.push(
      figure('rate', {
        id: 'verify.ledger',
        figure: 'Verify the whole ledger (every stream chain + log root)',
        ours: rate(verified.best),
        baseline: rate(rawBest),
        unit: 'events/s',
        baselineLabel: rawLabel,
        events: verified.best.events,
        target: verifyTarget,
        extra: { 'paired median ratio': verified.pairedMedian },
        note: `verifyLedger over the stored rows, exactly what POST /api/audit/verify runs: each event's stored data and metadata texts scanned in one pass (not parsed) and, shown canonical, hashed as stored (any other text is parsed and hashed from its values), chain links checked, the RFC 6962 root recomputed and compared with the ledger log; past 40,000 events a second thread opens the ledger file and reads and rehashes ranges of it, while this one does the others and walks them all in order. ${roundsNote}`,
      }),
    );
    if (!byStream.best.ok) throw new Error('verify by stream failed on the benchmark ledger');
    figures.push(
      figure('rate', {
        id: 'verify.streams',
        figure: 'Verify stream by stream (verifyStreamChain per stream + log root)',
        ours: rate(byStream.best),
        baseline: rate(rawBest),
        unit: 'events/s',
        baselineLabel: rawLabel,
        events: byStream.best.events,
        target: verifyTarget,
        extra: { 'paired median ratio': byStream.pairedMedian },
        note: `readStreamJson of every stream (the stored texts) and verifyStreamChain on it, then the log root from the leaves of the hashes those chains were checked with, put in position order (no second read of the table). ${roundsNote}`,
      }),
    );
    figures.push(
      figure('time', {
        id: 'restart',
        figure: 'Restart from checkpoint (services ready)',
        ours: warm.ms,
        baseline: cold.ms,
        unit: 'ms',
        baselineLabel: 'first start: fold from zero and build the log',
        events: built.events,
        target: { text: '< 2 s for a million-event ledger, resuming rather than replaying', test: ({ ours }) => ours < 2_000 && warm.resumedFrom >= 0 },
        extra: { 'resumed after position': warm.resumedFrom, 'events applied': warm.applied },
        note: 'openServices on the ledger file until `ready` (projection runner and ledger log caught up), after a clean close saved the checkpoint.',
      }),
    );

    // Queries on the largest incident, in process.
    const big = incidentStreams(path('ledger.db'))[0]!;
    // Collected first, so the figure is what the process holds, not garbage the passes left.
    collectGarbage();
    log(`queries on incident ${big.id} (${n(big.events)} events); heap in use before: ${n(Math.round(process.memoryUsage().heapUsed / 2 ** 20))} MiB`);
    const q = await queryLatencies(path('ledger.db'), big.id, config.queryIterations, config.appendReads, gen.sourceIds[0]!, config.asOfIterations, config.rawReads);
    const rawRead = `raw SELECT + JSON.parse of the incident's rows, p99 of ${config.rawReads}`;
    for (const [view, timing] of Object.entries(q.views)) {
      for (const when of ['current', 'asOf'] as const) {
        const l = timing[when];
        figures.push(
          figure('time', {
            id: `query.${view}.${when}`,
            figure: `${view} p99, ${when === 'current' ? 'current' : '"as of" a random instant'} (${n(q.incidentEvents)}-event incident)`,
            ours: l.p99,
            baseline: q.raw.p99,
            unit: 'ms',
            baselineLabel: rawRead,
            events: q.incidentEvents,
            extra: { p50: l.p50 },
            ...(view === 'timeline' ? { target: { text: 'p99 < 5 ms in-process', test: ({ ours }: { ours: number }) => ours < 5 } } : {}),
          }),
        );
      }
    }
    figures.push(
      figure('time', {
        id: 'query.timeline.afterAppend',
        figure: `timeline p99 right after an append (${n(q.incidentEvents)}-event incident)`,
        ours: q.afterAppend.p99,
        baseline: q.raw.p99,
        unit: 'ms',
        baselineLabel: rawRead,
        events: q.incidentEvents,
        extra: { p50: q.afterAppend.p50 },
        target: { text: 'p99 < 5 ms in-process', test: ({ ours }) => ours < 5 },
        note: `Ledger.handle(RecordAssertion) through the product's composition, then ReadModels.timeline: every read is of a new revision, so nothing is memoised. Timed after the first command on the incident (${number1(q.firstAppendMs)} ms: it loads the incident's decision state), a full collection and ${WARM_APPENDS} untimed rounds. The other query rows read through the same ReadModels: "current" repeats the latest revision (its views are memoised per revision), "as of" picks ${n(config.asOfIterations)} random instants across the incident's life (an earlier revision's views are memoised only once it is read twice in a row, so nearly every one of these reads folds its model and builds its views). Each loop is timed after 100 untimed reads of its kind, once V8 has compiled the code they run (the first reads run while it compiles, at 2–7 ms each: see the analysis). First read of the incident (load + fold): ${number1(q.coldMs)} ms; first "as of" read (indexes the incident: reads its stream again, folds it again taking a snapshot every ${DEFAULT_SNAPSHOT_EVERY} events, and warms each snapshot's analyses, timeline and disputes): ${number1(q.firstAsOfMs)} ms.`,
      }),
    );

    log('HTTP');
    const http = await httpFigures({
      dbPath: path('ledger.db'),
      emptyDbPath: path('empty.db'),
      workDir: dir,
      incidentId: big.id,
      warm: incidentStreams(path('ledger.db'))
        .slice(0, config.warmIncidents)
        .map((s) => s.id),
      sourceId: gen.sourceIds[0]!,
      fact: q.fact,
      constantBody: q.timelineJson,
      seconds: config.httpSeconds,
    });
    const httpNote = `autocannon, 50 connections, ${config.httpSeconds} s, 127.0.0.1, server in its own process (openServices + createApp with request logging at info to /dev/null, rate limit off); the baseline is a route added to the same app (same middleware: helmet, auth, JSON body parser, metrics) answering a constant body.`;
    figures.push(
      figure('rate', {
        id: 'http.timeline',
        figure: 'HTTP GET timeline',
        ours: http.timeline.requestsPerSecond,
        baseline: http.constantGet.requestsPerSecond,
        unit: 'req/s',
        baselineLabel: 'same app, constant body of the same bytes',
        events: q.incidentEvents,
        target: { text: '≥ 0.3 of the constant-body app', test: ({ ratio }) => ratio >= 0.3 },
        extra: { 'p99 ms': http.timeline.p99Ms, 'baseline p99 ms': http.constantGet.p99Ms, non2xx: http.timeline.non2xx },
        note: `${httpNote} The timeline body is ${n(Math.round(q.timelineJson.length / 1024))} KiB.`,
      }),
    );
    figures.push(
      figure('rate', {
        id: 'http.assertion',
        figure: 'HTTP POST assertion',
        ours: http.assertion.requestsPerSecond,
        baseline: http.constantPost.requestsPerSecond,
        unit: 'req/s',
        baselineLabel: 'same app, constant 201 body',
        events: Math.round(http.assertion.requests),
        extra: { 'p99 ms': http.assertion.p99Ms, 'baseline p99 ms': http.constantPost.p99Ms, non2xx: http.assertion.non2xx },
        note: `${httpNote} Each request appends one AssertionRecorded to the big incident (an fsync for the event, plus a share of the ledger log's transaction, batched per event-loop turn) and answers once the read models hold it.`,
      }),
    );
    if (http.timeline.non2xx > 0 || http.assertion.non2xx > 0) notes.push(`HTTP answered ${http.timeline.non2xx} timeline and ${http.assertion.non2xx} assertion requests with a non-2xx status.`);
    figures.push(
      figure('size', {
        id: 'memory.serving',
        figure: 'Peak RSS while serving the ledger',
        ours: http.serving.maxRssMiB,
        baseline: http.empty.maxRssMiB,
        unit: 'MiB',
        baselineLabel: 'same server on an empty ledger',
        events: built.events,
        extra: { 'heap MiB': http.serving.heapUsedMiB },
        note: `The server process after a restart from the checkpoint (ready in ${n(Math.round(http.readyMs))} ms), the timelines of the ${config.warmIncidents} largest incidents read once (the read cache holds 100), and the four loads above.`,
      }),
    );

    log('Emmett SQLite as a peer, in turn with ours');
    // Each round appends the same events through our store and through Emmett's, one right after
    // the other, then reads them back on both: fsync latency and the machine's other work change
    // from minute to minute, so a peer measured at another moment than ours would compare moments.
    const peerSingles = singles.slice(0, config.emmettSingle);
    const peerBatches = firstBatches(batches, config.emmettBatched);
    const peerRounds: Array<Record<'oursSingle' | 'emmettSingle' | 'oursBatched' | 'emmettBatched' | 'oursRead' | 'emmettRead', Pass>> = [];
    for (let i = 0; i < config.peerRounds; i++) {
      for (const name of ['peer-single.db', 'emmett-single.db', 'peer-batch.db', 'emmett-batch.db']) remove(name);
      peerRounds.push({
        oursSingle: await appendThroughStore(path('peer-single.db'), peerSingles),
        emmettSingle: await emmettAppends(path('emmett-single.db'), peerSingles),
        oursBatched: await appendThroughStore(path('peer-batch.db'), peerBatches),
        emmettBatched: await emmettAppends(path('emmett-batch.db'), peerBatches),
        oursRead: await readStreams(path('peer-batch.db'), peerBatches),
        emmettRead: await emmettReads(path('emmett-batch.db'), peerBatches),
      });
    }
    const best = (side: keyof (typeof peerRounds)[number]): Pass => peerRounds.map((round) => round[side]).reduce((a, b) => fastest(a, b));
    const peerNote = (what: string): string => `${what} Emmett 0.38.5 (getSQLiteEventStore with autoMigration CreateOrUpdate; sqlite3, WAL, default synchronous=FULL), same events, same machine.`;
    figures.push(
      figure('rate', {
        id: 'peer.single',
        figure: 'vs Emmett SQLite: one event per append',
        ours: rate(best('oursSingle')),
        baseline: rate(best('emmettSingle')),
        unit: 'events/s',
        baselineLabel: 'Emmett appendToStream, one event',
        events: best('emmettSingle').events,
        target: { text: '≥ 5× Emmett', test: ({ ratio }) => ratio >= 5 },
        note: peerNote(`The first ${n(best('emmettSingle').events)} of the "one event per append" events, one per append, through our store and through Emmett's in turn, each into a fresh file; best of ${config.peerRounds} rounds on each side.`),
      }),
    );
    figures.push(
      figure('rate', {
        id: 'peer.batched',
        figure: 'vs Emmett SQLite: batches of 100',
        ours: rate(best('oursBatched')),
        baseline: rate(best('emmettBatched')),
        unit: 'events/s',
        baselineLabel: 'Emmett appendToStream, 100 events',
        events: best('emmettBatched').events,
        target: { text: '≥ 2× Emmett', test: ({ ratio }) => ratio >= 2 },
        note: peerNote(`The first ${n(best('emmettBatched').events)} events of the "batches of 100" appends above, through our store and through Emmett's in turn, each into a fresh file; best of ${config.peerRounds} rounds on each side.`),
      }),
    );
    figures.push(
      figure('rate', {
        id: 'peer.read',
        figure: 'vs Emmett SQLite: read every stream',
        ours: rate(best('oursRead')),
        baseline: rate(best('emmettRead')),
        unit: 'events/s',
        baselineLabel: 'Emmett readStream',
        events: best('emmettRead').events,
        target: { text: '≥ 2× Emmett', test: ({ ratio }) => ratio >= 2 },
        note: peerNote(`readStream of every stream written by the batched appends, right after each round's appends; best of ${config.peerRounds} rounds on each side.`),
      }),
    );

    notes.push(
      `Cold start of the services on this ledger (projection runner from zero and the ledger log built from zero): ${n(Math.round(cold.ms))} ms; restart: ${n(Math.round(warm.ms))} ms, resuming after position ${n(warm.resumedFrom)} with ${n(warm.applied)} events to apply.`,
    );
    if (config.mode !== 'full') notes.push(`This is a ${config.mode} run: targets stated for a million events (restart, RSS) are checked here on ${n(stats.events)}.`);
    const report: Report = {
      mode: config.mode,
      startedAt: startedAt.toISOString(),
      durationSeconds: (now() - t0) / 1000,
      machine: { ...machine(), loadAverage: { start: load0, end: loadavg()[0]! } },
      ledger: { ...stats, bigIncidents, appends: built.appends, databaseMiB },
      figures,
      notes,
      analysis: analysisNotes(),
    };
    writeReport(report, config.markdownPath, config.jsonPath);
    log(`wrote ${config.markdownPath} and ${config.jsonPath} in ${Math.round(report.durationSeconds)} s`);
    return report;
  } finally {
    if (!config.keep && !config.workDir) rmSync(dir, { recursive: true, force: true });
  }
}

function number1(x: number): string {
  return x.toLocaleString('en', { maximumFractionDigits: 1 });
}

/** Hand-written findings (profiles of the figures that miss a target), kept beside the bench so every report carries them. */
export function analysisNotes(): string[] {
  const file = fileURLToPath(new URL('./analysis.md', import.meta.url));
  if (!existsSync(file)) return [];
  // An item's wrapped lines are joined; its nested list items stay on lines of their own.
  return readFileSync(file, 'utf8')
    .split(/\n(?=- )/)
    .map((s) =>
      s
        .replace(/^- /, '')
        .replace(/\s*\n\s+- /g, '\n  - ')
        .replace(/[ \t]*\n(?! {2}- )\s*/g, ' ')
        .trim(),
    )
    .filter((s) => s !== '' && !s.startsWith('#'));
}

/** Rewrites BENCHMARKS.md from the JSON report with the current bench/analysis.md: no measuring. */
function renderOnly(config: BenchConfig): void {
  const report = JSON.parse(readFileSync(config.jsonPath, 'utf8')) as Report;
  writeReport({ ...report, analysis: analysisNotes() }, config.markdownPath, config.jsonPath);
  log(`rewrote ${config.markdownPath} from ${config.jsonPath}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const config = parseArgs(args.filter((a) => a !== '--render-only'));
  if (args.includes('--render-only')) {
    renderOnly(config);
    process.exit(0);
  }
  // The in-process figures run as the server does (src/app/heap-tuning.ts), baselines alike.
  turnOffPretenuring();
  runBench(config).then(
    (report) => {
      for (const f of report.figures) {
        process.stdout.write(`${f.target ? (f.target.met ? 'ok  ' : 'MISS') : '    '} ${f.figure}: ${f.ours.toFixed(2)} ${f.unit} vs ${f.baseline.toFixed(2)} → ratio ${f.ratio.toFixed(2)}\n`);
      }
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
