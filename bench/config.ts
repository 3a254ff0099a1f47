import type { LedgerShape } from './generator.js';

export type Mode = 'smoke' | 'quick' | 'full';

export interface BenchConfig {
  mode: Mode;
  shape: LedgerShape;
  /** Events appended one per append (ours and raw). */
  singleAppends: number;
  /** Rounds of the one-event and batched append figures, ours and raw in turn: the best of each. */
  appendRounds: number;
  /** Rounds of each pass over the ledger (rebuilds, verify), each after a run of the raw loop: the best of each. */
  passRounds: number;
  /** Rounds of the Emmett figures, ours and Emmett's in turn: the best of each. */
  peerRounds: number;
  /** Events appended one per append to Emmett (it is slow: a few hundred a second). */
  emmettSingle: number;
  /** Events appended in batches of 100 (ours and raw), the first `emmettBatched` of them through Emmett too, and read back. */
  peerEvents: number;
  /** Of those, how many each peer round appends in batches through Emmett's store and ours, and reads back. */
  emmettBatched: number;
  /** Calls per in-process query figure, current reads. */
  queryIterations: number;
  /** Calls per "as of" query figure (each mostly a new revision, so slower). */
  asOfIterations: number;
  /** Appends, each followed by a timeline read. */
  appendReads: number;
  /** Raw reads of the whole incident (the query baseline; each takes tens of ms on a 10,000-event incident). */
  rawReads: number;
  /** autocannon duration per HTTP figure, seconds. */
  httpSeconds: number;
  /** Incidents whose timeline is read over HTTP before the load, so the read cache is full when RSS is taken. */
  warmIncidents: number;
  /** Folder for the databases; removed at the end unless `keep`. */
  workDir?: string;
  keep: boolean;
  /** Where BENCHMARKS.md and results.json go. */
  markdownPath: string;
  jsonPath: string;
}

const START_MS = Date.parse('2024-01-02T08:00:00Z');

const MODES: Record<Mode, Omit<BenchConfig, 'workDir' | 'keep' | 'markdownPath' | 'jsonPath'>> = {
  smoke: {
    mode: 'smoke',
    shape: { events: 3_000, bigIncidents: 1, bigIncidentEvents: 1_200, sources: 20, seed: 7, startMs: START_MS },
    singleAppends: 60,
    appendRounds: 1,
    passRounds: 1,
    peerRounds: 1,
    emmettSingle: 20,
    peerEvents: 1_000,
    emmettBatched: 1_000,
    queryIterations: 100,
    asOfIterations: 50,
    appendReads: 20,
    rawReads: 10,
    httpSeconds: 1,
    warmIncidents: 10,
  },
  quick: {
    mode: 'quick',
    shape: { events: 50_000, bigIncidents: 3, bigIncidentEvents: 10_500, sources: 60, seed: 7, startMs: START_MS },
    singleAppends: 500,
    appendRounds: 3,
    // Four and two: a quick run must end within the minute even while the machine runs slow (a
    // quarter slower than usual, for an hour at a time, on these shared machines).
    passRounds: 4,
    peerRounds: 2,
    emmettSingle: 100,
    peerEvents: 10_000,
    // Half of them: Emmett writes about 9,000 a second, and rounds of 10,000 took a tenth of the minute.
    emmettBatched: 5_000,
    queryIterations: 2_000,
    // As many as the full run: a p99 of 300 reads is their third slowest, one collection's say.
    asOfIterations: 1_000,
    appendReads: 100,
    rawReads: 6,
    httpSeconds: 1,
    warmIncidents: 25,
  },
  full: {
    mode: 'full',
    shape: { events: 1_000_000, bigIncidents: 5, bigIncidentEvents: 12_000, sources: 400, seed: 7, startMs: START_MS },
    singleAppends: 3_000,
    appendRounds: 3,
    passRounds: 3,
    peerRounds: 3,
    emmettSingle: 1_000,
    peerEvents: 50_000,
    emmettBatched: 50_000,
    queryIterations: 5_000,
    asOfIterations: 1_000,
    appendReads: 300,
    rawReads: 100,
    httpSeconds: 10,
    warmIncidents: 150,
  },
};

export function configFor(mode: Mode, overrides: Partial<BenchConfig> & { events?: number } = {}): BenchConfig {
  const base = MODES[mode];
  const { events, ...rest } = overrides;
  const shape = { ...base.shape };
  if (events !== undefined) {
    if (!(Number.isSafeInteger(events) && events >= 500)) throw new RangeError('--events must be an integer of at least 500');
    shape.events = events;
    // Keep the big incidents (and room for everything else) inside a smaller ledger.
    while (shape.bigIncidents > 1 && shape.bigIncidents * shape.bigIncidentEvents > events * 0.7) shape.bigIncidents--;
    if (shape.bigIncidents * shape.bigIncidentEvents > events * 0.7) shape.bigIncidentEvents = Math.floor(events * 0.4);
  }
  return {
    ...base,
    shape,
    keep: false,
    markdownPath: 'BENCHMARKS.md',
    jsonPath: 'bench/results.json',
    ...rest,
  };
}

const USAGE = `npm run bench -- [--quick | --smoke] [--events N] [--dir DIR] [--keep] [--out-md FILE] [--out-json FILE]
  (default)    the full run: 1,000,000 events
  --quick      50,000 events, under a minute
  --smoke      a few thousand events, a few seconds (what npm test runs)
  --events N   the full run's figures on a ledger of N events
  --dir DIR    put the databases in DIR (default: a fresh folder under the system temp dir)
  --keep       keep the databases afterwards
  --render-only  rewrite the markdown from the JSON report (and bench/analysis.md) without measuring`;

export function parseArgs(argv: readonly string[]): BenchConfig {
  let mode: Mode = 'full';
  const overrides: Partial<BenchConfig> & { events?: number } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    switch (arg) {
      case '--quick':
        mode = 'quick';
        break;
      case '--smoke':
        mode = 'smoke';
        break;
      case '--events':
        overrides.events = Number(value().replace(/_/g, ''));
        break;
      case '--dir':
        overrides.workDir = value();
        break;
      case '--keep':
        overrides.keep = true;
        break;
      case '--out-md':
        overrides.markdownPath = value();
        break;
      case '--out-json':
        overrides.jsonPath = value();
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return configFor(mode, overrides);
}
