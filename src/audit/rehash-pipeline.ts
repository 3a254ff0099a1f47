/**
 * Feeds a LedgerWalk from `$all`: pages of events are rehashed on this thread or on a worker,
 * whichever is free, and walked strictly in order, so the walk (failures, their order, progress,
 * the error thrown on unreadable text) is exactly what rehashing each event in turn gives.
 */
import type { StoredEvent } from '../../events/index.js';
import { rehash, type Rehashed } from '../store/hash-chain.js';
import type { StoredEventJson } from '../store/port.js';
import type { LedgerWalk } from './ledger-walk.js';
import { isRehashedRange, type RehashedPage } from './rehash-page.js';
import { RehashWorker } from './rehash-worker.js';

/** An event as verification takes it: its values, or the JSON texts its store keeps. */
export type Verifiable = StoredEvent | StoredEventJson;

/** Whether, and from how many events on, a second thread rehashes too. */
export type WorkerOption = boolean | { afterEvents: number };

/**
 * An untouched event costs little more to rehash here (a scan and a hash) than to read, send
 * there and walk: the worker pays off only on large ledgers. Measured on two cores, a
 * 50,000-event ledger verified as fast on one thread as with a worker from the first event (16
 * rounds each, even with the thread started from a bundled script in about 50 ms), a
 * million-event one about a third faster with the worker. Smaller verifications (and tests) stay
 * on one thread.
 */
const DEFAULT_AFTER_EVENTS = 100_000;
/** Events per page when the source gives them one by one. */
const PAGE_SIZE = 1_000;
/**
 * Pages on the worker at once: enough queued that it does not idle while this thread rehashes a
 * page of its own.
 */
export const IN_FLIGHT = 4;
/** Pages read ahead of the walk at most: past that, this thread takes pages back from the worker, or waits. */
export const AHEAD = 12;

const HEX = 64;

/** A page rehashed here: the results up to the first event that threw, and what it threw. */
export interface HashedHere {
  done: Rehashed[];
  threw: boolean;
  error?: unknown;
}

interface Pending {
  events: readonly Verifiable[];
  here?: HashedHere;
  /** The worker's id for the page, when it was sent there. */
  sent?: number;
}

export function rehashHere(events: readonly Verifiable[]): HashedHere {
  const done: Rehashed[] = [];
  try {
    for (let i = 0; i < events.length; i++) done.push(rehash(events[i]!));
  } catch (error) {
    return { done, threw: true, error };
  }
  return { done, threw: false };
}

function walkOne(walk: LedgerWalk, item: Verifiable): void {
  const e = rehash(item);
  walk.step(e.stream, e.revision, e.prevHash, e.hash, e.actual);
}

export function walkHashedHere(walk: LedgerWalk, { done, threw, error }: HashedHere): void {
  for (let i = 0; i < done.length; i++) {
    const e = done[i]!;
    walk.step(e.stream, e.revision, e.prevHash, e.hash, e.actual);
  }
  if (threw) throw error;
}

/**
 * A page the worker answered. Its claimed hashes are cut from each event's own metadata text
 * where the worker found their exact characters; the recomputed hash is needed as a string only
 * when it differs (and is then copied, so the failure does not keep the whole answer alive).
 */
function walkHashedThere(walk: LedgerWalk, events: readonly Verifiable[], { actuals, offsets }: RehashedPage): void {
  for (let i = 0; i < events.length; i++) {
    const at = offsets[2 * i]!;
    if (at < 0) {
      const e = rehash(events[i]!);
      walk.step(e.stream, e.revision, e.prevHash, e.hash, e.actual);
      continue;
    }
    // The worker hashes only events read as texts.
    const e = events[i] as StoredEventJson;
    const m = e.metadataJson;
    const hashAt = offsets[2 * i + 1]!;
    const hash = m.slice(hashAt, hashAt + HEX);
    const actual = actuals.startsWith(hash, HEX * i) ? hash : Buffer.from(actuals.slice(HEX * i, HEX * (i + 1)), 'latin1').toString('latin1');
    walk.step(e.stream, e.revision, m.slice(at, at + HEX), hash, actual);
  }
}

/** The last pending page (or range) other than the head that is with the worker, unanswered. */
export function lastStillSent<T extends { here?: unknown }>(pending: readonly T[]): T | undefined {
  for (let i = pending.length - 1; i > 0; i--) if (pending[i]!.here === undefined) return pending[i];
  return undefined;
}

const isPage = (item: Verifiable | readonly Verifiable[]): item is readonly Verifiable[] => Array.isArray(item);

/**
 * The pages read once a worker has started: each rehashed where there is room (on the worker
 * while it has fewer than IN_FLIGHT pages, else here), then walked in order.
 */
class SharedWalk {
  private readonly pending: Pending[] = [];

  constructor(
    private readonly walk: LedgerWalk,
    private readonly worker: RehashWorker,
  ) {}

  async submit(page: readonly Verifiable[]): Promise<void> {
    const { worker } = this;
    if (worker.ready && worker.inFlight < IN_FLIGHT) this.pending.push({ events: page, sent: worker.post(page) });
    else this.pending.push({ events: page, here: rehashHere(page) });
    await this.drain(false);
  }

  /** Walks the pages whose hashes are known, in order; with `all`, every page. */
  async drain(all: boolean): Promise<void> {
    const { pending, worker, walk } = this;
    while (pending.length > 0) {
      const head = pending[0]!;
      if (head.here) {
        pending.shift();
        walkHashedHere(walk, head.here);
        continue;
      }
      const answer = worker.take(head.sent!);
      if (answer && !isRehashedRange(answer)) {
        pending.shift();
        walkHashedThere(walk, head.events, answer);
        continue;
      }
      if (worker.failed) {
        // Whatever the worker had is done again here: the walk never depends on it.
        head.here = rehashHere(head.events);
        continue;
      }
      if (!all && pending.length < AHEAD) return;
      // Rather than wait, take back the last page the worker has not answered and rehash it
      // here (its answer is dropped when it comes); the head is waited for, being under way.
      const last = lastStillSent(pending);
      if (last !== undefined) {
        worker.forget(last.sent!);
        last.here = rehashHere(last.events);
        continue;
      }
      await worker.settled();
    }
  }
}

/** Walks every event of `events` (single events or pages, in order) through `walk`. */
export async function walkLedger(events: AsyncIterable<Verifiable | readonly Verifiable[]>, walk: LedgerWalk, option: WorkerOption = true): Promise<void> {
  let afterEvents = option === false ? Number.POSITIVE_INFINITY : option === true ? DEFAULT_AFTER_EVENTS : option.afterEvents;
  let read = 0;
  let worker: RehashWorker | undefined;
  let shared: SharedWalk | undefined;
  let batch: Verifiable[] = [];
  /** What was read and not yet walked, walked. */
  const flush = async (): Promise<void> => {
    if (batch.length > 0) await shared?.submit(batch);
    batch = [];
    await shared?.drain(true);
  };

  const source = events[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let next: IteratorResult<Verifiable | readonly Verifiable[]>;
      try {
        next = await source.next();
      } catch (error) {
        finished = true;
        // What was read before the source failed is walked first, as it would have been one by one.
        await flush();
        throw error;
      }
      if (next.done) {
        finished = true;
        break;
      }
      const item = next.value;
      const page = isPage(item);
      if (shared === undefined) {
        // One thread: each event is walked as it comes, and nothing read is held.
        let last: Verifiable | undefined;
        if (page) for (let i = 0; i < item.length; i++) walkOne(walk, (last = item[i]!));
        else walkOne(walk, (last = item));
        read += page ? item.length : 1;
        // The worker takes events read as texts; a source of values has nothing to send it.
        if (read > afterEvents && last !== undefined && 'dataJson' in last) {
          worker = RehashWorker.start();
          if (worker) shared = new SharedWalk(walk, worker);
          // A thread that cannot start leaves the work here.
          else afterEvents = Number.POSITIVE_INFINITY;
        }
      } else if (page) {
        if (batch.length > 0) await shared.submit(batch);
        batch = [];
        if (item.length > 0) await shared.submit(item);
      } else {
        batch.push(item);
        if (batch.length === PAGE_SIZE) {
          await shared.submit(batch);
          batch = [];
        }
      }
    }
    await flush();
  } finally {
    if (!finished) await source.return?.();
    await worker?.close();
  }
}
