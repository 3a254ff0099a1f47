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
import type { PositionRanges, StoredEventJson } from '../store/port.js';
import { rehash } from '../store/rehash-stored-json.js';
import type { LedgerWalk } from './ledger-walk.js';
import { AHEAD, IN_FLIGHT, lastStillSent, rehashHere, walkHashedHere, type HashedHere } from './rehash-pipeline.js';
import { isRehashedRange, type RehashedRange } from './rehash-page.js';
import type { RehashWorker } from './rehash-worker.js';

/** Positions per range: what one thread reads and rehashes in about 10 ms. */
export const RANGE = 1_000;

/** A range read and rehashed here, or what reading it threw (thrown when the walk gets there, as reading in order would). */
type DoneHere = { events: StoredEventJson[]; hashed: HashedHere } | { events?: undefined; error: unknown };

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

function readHere(ranges: PositionRanges, { first, last }: { first: number; last: number }): DoneHere {
  let events: StoredEventJson[];
  try {
    events = ranges.readRange(first, last);
  } catch (error) {
    return { error };
  }
  return { events, hashed: rehashHere(events) };
}

/** A range the worker answered; the events it left are read again and rehashed here. */
function walkHashedThere(walk: LedgerWalk, ranges: PositionRanges, answer: RehashedRange): number {
  const { positions, revisions, streams, prevHashes, hashes, actuals, leftHere } = answer;
  let last = -1;
  for (let i = 0; i < positions.length; i++) {
    const position = positions[i]!;
    if (leftHere[i] === 1) {
      // Gone since the worker read it (the table was edited meanwhile): not read, then.
      const [event] = ranges.readRange(position, position);
      if (event === undefined) continue;
      const e = rehash(event);
      walk.step(e.stream, e.revision, e.prevHash, e.hash, e.actual);
    } else {
      const hash = hashes[i]!;
      walk.step(streams[i]!, revisions[i]!, prevHashes[i]!, hash, actuals[i] || hash);
    }
    last = position;
  }
  return last;
}

/**
 * Walks every event of the ledger through `walk`, sharing the ranges (of `size` positions) with
 * `worker` (started with the ledger's file) while it is ready and has room. Returns the last
 * position walked, -1 when none.
 */
export async function walkRanges(ranges: PositionRanges, walk: LedgerWalk, worker: RehashWorker, size = RANGE): Promise<number> {
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
        walkHashedHere(walk, here.hashed);
        if (here.events.length > 0) last = here.events[here.events.length - 1]!.position;
        continue;
      }
      const answer = worker.take(front.sent!);
      if (answer && isRehashedRange(answer)) {
        pending.shift();
        const walked = walkHashedThere(walk, ranges, answer);
        if (walked >= 0) last = walked;
        continue;
      }
      if (worker.failed) {
        // Whatever the worker had is done again here: the walk never depends on it.
        front.here = readHere(ranges, front);
        continue;
      }
      break;
    }
    if (pending.length < AHEAD && !exhausted) {
      const toWorker = worker.ready && worker.inFlight < IN_FLIGHT;
      const range = take();
      if (range) {
        pending.push(toWorker ? { ...range, sent: worker.postRange(range.first, range.last) } : { ...range, here: readHere(ranges, range) });
        continue;
      }
    }
    if (pending.length === 0) return last;
    // Nothing left to read here while the front is with the worker: take back the last range it
    // has not answered (its answer is dropped when it comes), or wait for the front.
    const lastSent = lastStillSent(pending);
    if (lastSent !== undefined) {
      worker.forget(lastSent.sent!);
      lastSent.here = readHere(ranges, lastSent);
      continue;
    }
    await worker.settled();
  }
}
