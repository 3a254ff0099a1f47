import { toHex } from '../log/hex.js';
import { EMPTY_ROOT, verifyConsistency } from '../log/merkle.js';
import type { EventStore, PositionRanges } from '../store/port.js';
import { LedgerWalk, type VerifyFailure } from './ledger-walk.js';
import { walkRanges, type RowChecks } from './ranged-walk.js';
import { walkLedger, type Verifiable, type WorkerOption } from './rehash-pipeline.js';
import { RehashWorker } from './rehash-worker.js';

export type { VerifyFailure } from './ledger-walk.js';
export type { Verifiable } from './rehash-pipeline.js';

const fromHex = (hex: string): Buffer => Buffer.from(hex, 'hex');

export interface VerifyReport {
  ok: boolean;
  /** Events checked. */
  checked: number;
  /** The root recomputed from the events themselves, over `checked` leaves. */
  root: string;
  failures: VerifyFailure[];
}

export interface KeptCheckpoint {
  size: number;
  root: string;
}

/** What verification needs from the ledger log: its answers are checked, not trusted. */
export interface LogView {
  size(): number;
  root(size?: number): string;
  consistencyProof(from: number, to?: number): { proof: string[] };
  /** Global position of the last event absorbed, -1 when none. */
  lastPosition(): number;
  /** Leaves absorbed for events at or before global `position`. */
  leavesThrough(position: number): number;
}

/** `$all` in the form verification checks best: the stored JSON texts where the store offers them. */
export function ledgerEvents(store: EventStore): AsyncIterable<Verifiable> {
  return store.readAllJson ? store.readAllJson() : store.readAll();
}

/**
 * Events as verifyLedger takes them: one by one or in pages, and, from a store kept in one local
 * file, by position range too, which lets a worker read its own share. `rowChecks`: the ranges are
 * read as whole rows and checked as the events themselves were (the CLI's verify).
 */
export type LedgerSource = AsyncIterable<Verifiable | readonly Verifiable[]> & { positionRanges?: PositionRanges; rowChecks?: RowChecks };

/** The same, a page at a time where the store reads in pages, and by range where it can: what verifyLedger checks fastest. */
export function ledgerPages(store: EventStore): LedgerSource {
  const pages = store.readAllJsonPages ? store.readAllJsonPages() : ledgerEvents(store);
  const positionRanges = store.positionRanges?.();
  return positionRanges ? Object.assign(pages, { positionRanges }) : pages;
}

/**
 * From how many events a ledger read by range is shared with a worker from its first event.
 * Measured on two cores (medians of 12–14 rounds against one thread): 1.4× faster at 50,000
 * events, 1.6× at 300,000, but slower at 20,000 and below, where the thread is ready (about 60 ms)
 * and warm only when most of the work is done.
 */
const RANGED_AFTER_EVENTS = 40_000;

export interface VerifyOptions {
  log?: LogView;
  against?: KeptCheckpoint;
  onProgress?: (checked: number) => void;
  /**
   * Whether events read as texts may be rehashed on a second thread too, and after how many
   * events it is started; false keeps every hash on this thread. A source read by range shares
   * the reading with the thread from the first event when it holds more events than that (by
   * default 40,000); any other source, once that many were read (by default 100,000). The report
   * is the same either way.
   */
  worker?: WorkerOption;
}

/**
 * Recomputes every stream's hash chain and the ledger log's root from the events, in one pass
 * and constant memory per stream. With a kept checkpoint, proves the recomputed ledger extends it.
 * Events may come as values or as their stored JSON texts (`ledgerEvents`), one by one or in
 * pages (arrays, in order; a page may be read after the next is asked for, so a source must not
 * change it once yielded): the report is the same.
 */
export async function verifyLedger(events: LedgerSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { log, against } = options;
  // Read before the events: the log only ever absorbs what the store held before, so neither can
  // reach past what the walk then reads unless events were removed (a concurrent append cannot).
  const logBefore = log && { size: log.size(), lastPosition: log.lastPosition() };
  const walk = new LedgerWalk(options.onProgress, logBefore?.size);
  let lastRead = -1;
  async function* noted(): AsyncGenerator<Verifiable | readonly Verifiable[]> {
    for await (const item of events) {
      const last = isPage(item) ? item[item.length - 1] : item;
      if (last) lastRead = last.position;
      yield item;
    }
  }
  const ranged = await walkByRange(events, walk, options.worker);
  if (ranged === undefined) await walkLedger(log ? noted() : events, walk, options.worker);
  else lastRead = ranged;
  const { failures, checked } = walk;
  options.onProgress?.(checked);
  const root = walk.root();

  if (log && logBefore) {
    failures.push(...removedEvents(log, { checked, lastRead, logLast: logBefore.lastPosition }));
    // Against the whole walk when the log has absorbed as much; otherwise (appends went on while
    // the walk ran) against the log's size when the walk began, whose root the walk kept.
    const size = log.size() >= checked ? checked : logBefore.size;
    const recomputed = size === checked ? root : walk.markedRoot;
    if (size > 0 && size <= checked && recomputed !== undefined && log.root(size) !== recomputed) {
      failures.push({ stream: '$log', revision: size, reason: 'log-root-mismatch', detail: `the log's root ${log.root(size)} differs from the events' root ${recomputed}` });
    }
  }
  if (against) {
    if (against.size > checked) {
      failures.push({ stream: '$log', revision: against.size, reason: 'checkpoint-beyond-ledger', detail: `the checkpoint covers ${against.size} events, the ledger holds ${checked}: events were removed` });
    } else if (against.size === 0) {
      // Every empty ledger has the same root: a kept checkpoint of size 0 claiming another is forged.
      if (against.root !== toHex(EMPTY_ROOT)) {
        failures.push({ stream: '$log', revision: 0, reason: 'checkpoint-not-extended', detail: 'a checkpoint of size 0 must carry the empty-tree root' });
      }
    } else {
      const proof = log && log.size() >= checked ? log.consistencyProof(against.size, checked).proof.map(fromHex) : undefined;
      const extended = proof !== undefined && verifyConsistency(against.size, checked, proof, fromHex(against.root), fromHex(root));
      if (!extended) {
        failures.push({ stream: '$log', revision: against.size, reason: 'checkpoint-not-extended', detail: `the ledger of ${checked} events does not extend the checkpoint of size ${against.size}` });
      }
    }
  }
  return { ok: failures.length === 0, checked, root, failures };
}

const isPage = (item: Verifiable | readonly Verifiable[]): item is readonly Verifiable[] => Array.isArray(item);

/**
 * The walk shared by range with a worker, when the ledger is large enough and a thread starts:
 * the last position walked. Undefined when the walk is left to walkLedger.
 */
async function walkByRange({ positionRanges: ranges, rowChecks }: LedgerSource, walk: LedgerWalk, option: WorkerOption = true): Promise<number | undefined> {
  if (ranges === undefined || option === false) return undefined;
  const after = option === true ? RANGED_AFTER_EVENTS : option.afterEvents;
  if (ranges.head() + 1 <= after) return undefined;
  const worker = RehashWorker.start(ranges.file);
  if (worker === undefined) return undefined;
  try {
    return await walkRanges(ranges, walk, worker, { rows: rowChecks });
  } finally {
    await worker.close();
  }
}

/**
 * Events the log absorbed that the store no longer holds: more leaves up to the last position read
 * than events read, or a log that, before the walk began, reached past where the walk ended.
 */
function removedEvents(log: LogView, seen: { checked: number; lastRead: number; logLast: number }): VerifyFailure[] {
  const { checked, lastRead, logLast } = seen;
  const failures: VerifyFailure[] = [];
  const leaves = log.leavesThrough(lastRead);
  if (leaves > checked) {
    failures.push({ stream: '$log', revision: leaves, reason: 'events-removed', detail: `the log holds ${leaves} events up to position ${lastRead}, the store ${checked}: ${leaves - checked} removed` });
  }
  if (logLast > lastRead) {
    failures.push({ stream: '$log', revision: log.size(), reason: 'events-removed', detail: `the log absorbed events up to position ${logLast}, the store ends at ${lastRead}` });
  }
  return failures;
}
