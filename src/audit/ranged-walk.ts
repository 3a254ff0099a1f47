/**
 * Verification of a ledger kept in one local file, shared with a worker that reads its own part.
 * `$all` is cut into ranges of positions; each is read and rehashed either here or on the worker
 * (which opens the file itself, so this thread neither reads nor sends the texts of the worker's
 * ranges), and the ranges are walked strictly in order. The walk is the one reading `$all` event
 * by event gives: the same failures in the same order, the same error thrown at the same event.
 *
 * Sending the texts instead (rehash-pipeline.ts) costs this thread the read and the copy of every
 * event, which left a 50,000-event ledger no faster with a worker than without.
 */
import type { PositionRanges } from '../store/port.js';
import { rehash } from '../store/rehash-stored-json.js';
import type { InsertRow } from '../store/sqlite/rows.js';
import type { LedgerWalk } from './ledger-walk.js';
import { AHEAD, IN_FLIGHT, lastStillSent, rehashHere, walkHashedHere, type HashedHere, type Verifiable } from './rehash-pipeline.js';
import { isRehashedRange, type RehashedRange } from './rehash-page.js';
import type { RehashWorker } from './rehash-worker.js';
import { rowToReadEvent } from './row-check.js';

/** Positions per range: what one thread reads and rehashes in about 10 ms. */
export const RANGE = 1_000;

/**
 * The CLI's verify: whole rows, each checked against its JSON (rowToReadEvent) before it is
 * verified, here and on the worker; what is wrong with a row is reported as the walk gets to it.
 */
export interface RowChecks {
  readRows(first: number, last: number): InsertRow[];
  report(stream: string, revision: number, problem: string): void;
}

export interface RangeOptions {
  /** Positions per range. */
  size?: number;
  rows?: RowChecks;
}

/**
 * A range read and rehashed here (with what its rows' checks found, when asked), or what reading
 * it threw (thrown when the walk gets there, as reading in order would).
 */
type DoneHere = { events: Verifiable[]; problems?: Array<string | undefined>; hashed: HashedHere } | { events?: undefined; error: unknown };

interface Pending {
  first: number;
  last: number;
  here?: DoneHere;
  /** The worker's id for the range, when it was sent there. */
  sent?: number;
}

/** The ranges of `$all` in order: each starts at an event, and ends RANGE positions on or at the head. */
class Ranges {
  private cursor = 0;
  private head: number;

  constructor(
    private readonly ranges: PositionRanges,
    private readonly size: number,
  ) {
    this.head = ranges.head();
  }

  next(): { first: number; last: number } | undefined {
    for (;;) {
      const first = this.cursor <= this.head ? this.ranges.firstAtOrAfter(this.cursor) : undefined;
      if (first !== undefined && first <= this.head) {
        const last = Math.min(first + this.size - 1, this.head);
        this.cursor = last + 1;
        return { first, last };
      }
      // Events appended meanwhile are read too, as reading `$all` to its end would.
      const head = this.ranges.head();
      if (head <= this.head) return undefined;
      this.head = head;
    }
  }
}

function readHere(ranges: PositionRanges, { first, last }: { first: number; last: number }, rows: RowChecks | undefined): DoneHere {
  let events: Verifiable[];
  let problems: Array<string | undefined> | undefined;
  try {
    if (rows) {
      const read = rows.readRows(first, last).map(rowToReadEvent);
      events = read.map((r) => r.event);
      problems = read.map((r) => r.rowProblem);
    } else {
      events = ranges.readRange(first, last);
    }
  } catch (error) {
    return { error };
  }
  return { events, problems, hashed: rehashHere(events) };
}

/** Steps one event read again here: one the worker left, or one whose range it never answered. */
function walkOneHere(walk: LedgerWalk, event: Verifiable, problem: string | undefined, rows: RowChecks | undefined): void {
  if (problem !== undefined) rows?.report(event.stream, event.revision, problem);
  const e = rehash(event);
  walk.step(e.stream, e.revision, e.prevHash, e.hash, e.actual);
}

/** A range the worker answered; the events it left are read again and rehashed here. */
function walkHashedThere(walk: LedgerWalk, ranges: PositionRanges, answer: RehashedRange, rows: RowChecks | undefined): number {
  const { positions, revisions, streams, prevHashes, hashes, actuals, leftHere, rowProblems } = answer;
  let last = -1;
  for (let i = 0; i < positions.length; i++) {
    const position = positions[i]!;
    if (leftHere[i] === 1) {
      // Gone since the worker read it (the table was edited meanwhile): not read, then.
      if (rows) {
        const [row] = rows.readRows(position, position);
        if (row === undefined) continue;
        const { event, rowProblem } = rowToReadEvent(row);
        walkOneHere(walk, event, rowProblem, rows);
      } else {
        const [event] = ranges.readRange(position, position);
        if (event === undefined) continue;
        walkOneHere(walk, event, undefined, rows);
      }
    } else {
      if (rows && rowProblems[i] !== '') rows.report(streams[i]!, revisions[i]!, rowProblems[i]!);
      const hash = hashes[i]!;
      walk.step(streams[i]!, revisions[i]!, prevHashes[i]!, hash, actuals[i] || hash);
    }
    last = position;
  }
  return last;
}

/** A range read and rehashed here, walked: what its rows' checks found is reported first. */
function walkDoneHere(walk: LedgerWalk, { events, problems, hashed }: Extract<DoneHere, { hashed: HashedHere }>, rows: RowChecks | undefined): number {
  if (rows && problems) for (let i = 0; i < events.length; i++) if (problems[i] !== undefined) rows.report(events[i]!.stream, events[i]!.revision, problems[i]!);
  walkHashedHere(walk, hashed);
  return events.length > 0 ? events[events.length - 1]!.position : -1;
}

/**
 * Walks every event of the ledger through `walk`, sharing the ranges (of `size` positions) with
 * `worker` (started with the ledger's file) while it is ready and has room; with `rows`, reading
 * whole rows and checking each as the CLI does. Returns the last position walked, -1 when none.
 */
export async function walkRanges(ranges: PositionRanges, walk: LedgerWalk, worker: RehashWorker, options: RangeOptions = {}): Promise<number> {
  const { size = RANGE, rows } = options;
  const order = new Ranges(ranges, size);
  const pending: Pending[] = [];
  let last = -1;
  let exhausted = false;
  const take = (): { first: number; last: number } | undefined => {
    const range = exhausted ? undefined : order.next();
    if (!range) exhausted = true;
    return range;
  };
  for (;;) {
    // What is known at the front is walked, in order.
    while (pending.length > 0) {
      const front = pending[0]!;
      const { here } = front;
      if (here) {
        pending.shift();
        if (here.events === undefined) throw here.error;
        const walked = walkDoneHere(walk, here, rows);
        if (walked >= 0) last = walked;
        continue;
      }
      const answer = worker.take(front.sent!);
      if (answer && isRehashedRange(answer)) {
        pending.shift();
        const walked = walkHashedThere(walk, ranges, answer, rows);
        if (walked >= 0) last = walked;
        continue;
      }
      if (worker.failed) {
        // Whatever the worker had is done again here: the walk never depends on it.
        front.here = readHere(ranges, front, rows);
        continue;
      }
      break;
    }
    if (pending.length < AHEAD && !exhausted) {
      const toWorker = worker.ready && worker.inFlight < IN_FLIGHT;
      const range = take();
      if (range) {
        pending.push(toWorker ? { ...range, sent: worker.postRange(range.first, range.last, rows !== undefined) } : { ...range, here: readHere(ranges, range, rows) });
        continue;
      }
    }
    if (pending.length === 0) return last;
    // Nothing left to read here while the front is with the worker: take back the last range it
    // has not answered (its answer is dropped when it comes), or wait for the front.
    const lastSent = lastStillSent(pending);
    if (lastSent !== undefined) {
      worker.forget(lastSent.sent!);
      lastSent.here = readHere(ranges, lastSent, rows);
      continue;
    }
    await worker.settled();
  }
}
