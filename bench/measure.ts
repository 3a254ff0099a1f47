import { cpus, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One row of the report: our figure beside a baseline measured in the same run on the same data. */
export interface Figure {
  /** Stable key, e.g. `append.single`. */
  id: string;
  /** What was measured, for people. */
  figure: string;
  ours: number;
  baseline: number;
  /** Unit of `ours` and `baseline`. */
  unit: string;
  /** What the baseline is. */
  baselineLabel: string;
  /** Always "higher is better": ours ÷ baseline for rates, baseline ÷ ours for times and sizes. */
  ratio: number;
  /** Events the figure covers. */
  events: number;
  target?: { text: string; met: boolean };
  /** Secondary numbers (p50 beside a p99, say), shown in the cell beside `ours`. */
  extra?: Record<string, number>;
  note?: string;
}

/** A pass over some events: how many, and how long it took (ms). */
export interface Pass {
  events: number;
  ms: number;
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  memoryGiB: number;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

export type Kind = 'rate' | 'time' | 'size';

/** Builds a figure; the ratio is oriented so that higher is always better. */
export function figure(
  kind: Kind,
  fields: Omit<Figure, 'ratio' | 'target'> & { target?: { text: string; test: (f: { ours: number; baseline: number; ratio: number }) => boolean } },
): Figure {
  const ratio = kind === 'rate' ? fields.ours / fields.baseline : fields.baseline / fields.ours;
  const { target, ...rest } = fields;
  const row: Figure = { ...rest, ratio };
  if (target) row.target = { text: target.text, met: target.test({ ours: fields.ours, baseline: fields.baseline, ratio }) };
  return row;
}

export const now = (): number => performance.now();

setFlagsFromString('--expose-gc');
/**
 * A full collection. Before a figure is timed, so it does not pay for what the harness allocated
 * (input prepared beforehand would otherwise be copied by the first collections inside the timing,
 * on the side that allocates); after, so heap figures count what is retained, not garbage.
 */
export const collectGarbage = runInNewContext('gc') as () => void;

/** Runs `fn` and returns how long it took, in ms. */
export async function timed(fn: () => unknown): Promise<number> {
  const start = now();
  await fn();
  return now() - start;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface Latency {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

/** Calls `fn(i)` `iterations` times (after a few warm-up calls) and returns latency percentiles in ms. */
export async function latency(iterations: number, fn: (i: number) => unknown, warmup = Math.min(20, iterations)): Promise<Latency> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const times = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    const start = now();
    await fn(i);
    times[i] = now() - start;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1] ?? Number.NaN, samples: iterations };
}

/** Events (or requests) per second. */
export const perSecond = (count: number, ms: number): number => (count * 1000) / ms;

const started = performance.now();

/** Progress on stderr, with the seconds since the bench started. Silent when BENCH_QUIET is set (the smoke test). */
export function log(message: string): void {
  if (process.env.BENCH_QUIET) return;
  process.stderr.write(`[bench +${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}
