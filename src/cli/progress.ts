import cliProgress from 'cli-progress';
import type { CliIO } from './io.js';

/** Reports how far long work has got; `tick` takes the running total, not an increment. */
export interface Progress {
  tick(done: number): void;
  /** Sets the total once it is known (or corrected). */
  setTotal(total: number): void;
  finish(done?: number): void;
}

const silent: Progress = { tick: () => undefined, setTotal: () => undefined, finish: () => undefined };

const seconds = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`);

/**
 * A cli-progress bar with rate and ETA when stderr is a terminal; otherwise a plain line on
 * stderr at most every `io.progressIntervalMs` (1 s), and a closing line if any was printed, so
 * logs and CI output stay readable. stdout is left alone: it carries the answer (and `--json`).
 */
export function startProgress(io: CliIO, label: string, options: { total?: number | undefined; unit?: string; enabled?: boolean } = {}): Progress {
  if (options.enabled === false) return silent;
  const unit = options.unit ?? 'events';
  let total = options.total;
  const started = Date.now();
  const rate = (done: number): number => {
    const elapsed = (Date.now() - started) / 1000;
    return elapsed > 0 ? Math.round(done / elapsed) : 0;
  };

  if (io.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: io.stderr as NodeJS.WritableStream,
        format:
          total === undefined
            ? `${label} {value} ${unit} | {rate} ${unit}/s | {duration_formatted}`
            : `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
        // Long loops may run synchronously (import): let update() draw, not only a timer.
        synchronousUpdate: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total ?? 0, 0, { rate: 0 });
    let last = 0;
    return {
      tick: (done) => {
        last = done;
        bar.update(done, { rate: rate(done) });
      },
      setTotal: (n) => {
        total = n;
        bar.setTotal(n);
      },
      finish: (done = last) => {
        bar.update(done, { rate: rate(done) });
        bar.stop();
      },
    };
  }

  const interval = io.progressIntervalMs ?? 1000;
  let lastLine = started;
  let printed = false;
  let last = 0;
  const line = (done: number): string => {
    const r = rate(done);
    const eta = total !== undefined && r > 0 && done < total ? `, ETA ${seconds(((total - done) / r) * 1000)}` : '';
    return `${label}: ${done}${total !== undefined ? `/${total}` : ''} ${unit} (${r} ${unit}/s${eta})\n`;
  };
  return {
    tick: (done) => {
      last = done;
      const now = Date.now();
      if (now - lastLine < interval) return;
      lastLine = now;
      printed = true;
      io.stderr.write(line(done));
    },
    setTotal: (n) => {
      total = n;
    },
    finish: (done = last) => {
      if (printed) io.stderr.write(`${label}: ${done} ${unit} in ${seconds(Date.now() - started)}\n`);
    },
  };
}
