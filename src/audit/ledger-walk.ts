import { ZERO_HASH } from '../../events/index.js';
import { RunningRoot } from '../log/running-root.js';
import type { ChainFailure } from '../store/hash-chain.js';

export interface VerifyFailure {
  stream: string;
  revision: number;
  reason: ChainFailure['reason'] | 'log-root-mismatch' | 'events-removed' | 'checkpoint-not-extended' | 'checkpoint-beyond-ledger';
  detail: string;
}

/**
 * What verifyLedger checks as it walks `$all` in order, once each event's hash has been
 * recomputed (wherever that was done): every stream's chain, in constant memory per stream, and
 * the log's root over the stored hashes.
 */
export class LedgerWalk {
  readonly failures: VerifyFailure[] = [];
  private readonly tails = new Map<string, { revision: number; hash: string }>();
  private readonly leaves = new RunningRoot();
  private count = 0;
  /** The root over the first `mark` events, once walked. */
  private marked: string | undefined;

  /** `mark`: a count of events whose root to keep on the way (the log's size when the walk began). */
  constructor(
    private readonly onProgress?: (checked: number) => void,
    private readonly mark?: number,
  ) {}

  /** The root over the first `mark` events, if the walk got that far. */
  get markedRoot(): string | undefined {
    return this.marked;
  }

  get checked(): number {
    return this.count;
  }

  /** The next event: the hashes its metadata claims, and `actual`, the one its content gives. */
  step(stream: string, revision: number, prevHash: string, hash: string, actual: string): void {
    const { failures } = this;
    let tail = this.tails.get(stream);
    if (!tail) this.tails.set(stream, (tail = { revision: -1, hash: ZERO_HASH }));
    if (revision <= tail.revision) failures.push({ stream, revision, reason: 'out-of-order', detail: `revision ${revision} after ${tail.revision}` });
    else if (revision > tail.revision + 1) failures.push({ stream, revision, reason: 'gap', detail: `revisions ${tail.revision + 1}..${revision - 1} missing` });
    if (prevHash !== tail.hash) failures.push({ stream, revision, reason: 'broken-link', detail: `prevHash does not match the hash of revision ${tail.revision}` });
    if (actual !== hash) failures.push({ stream, revision, reason: 'hash-mismatch', detail: `stored ${hash}, computed ${actual}` });
    // The tail is this map's own object: updated in place rather than replaced for every event.
    tail.revision = Math.max(revision, tail.revision);
    tail.hash = hash;
    // The log's leaf is the stored hash: a rewritten event whose hash was recomputed changes the root.
    this.leaves.push(hash);
    this.count++;
    if (this.count === this.mark) this.marked = this.leaves.rootHex();
    if (this.onProgress && this.count % 10_000 === 0) this.onProgress(this.count);
  }

  /** The root over every event walked, in hex. */
  root(): string {
    return this.leaves.rootHex();
  }
}
