import { ZERO_HASH, type StoredEvent } from '../../events/index.js';
import { Frontier } from '../log/frontier.js';
import { toHex } from '../log/hex.js';
import { EMPTY_ROOT, leafHash, verifyConsistency } from '../log/merkle.js';
import { rehash, type ChainFailure } from '../store/hash-chain.js';
import type { EventStore, StoredEventJson } from '../store/port.js';

const fromHex = (hex: string): Buffer => Buffer.from(hex, 'hex');

export interface VerifyFailure {
  stream: string;
  revision: number;
  reason: ChainFailure['reason'] | 'log-root-mismatch' | 'checkpoint-not-extended' | 'checkpoint-beyond-ledger';
  detail: string;
}

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
}

/** `$all` in the form verification checks best: the stored JSON texts where the store offers them. */
export function ledgerEvents(store: EventStore): AsyncIterable<StoredEvent | StoredEventJson> {
  return store.readAllJson ? store.readAllJson() : store.readAll();
}

/**
 * Recomputes every stream's hash chain and the ledger log's root from the events, in one pass
 * and constant memory per stream. With a kept checkpoint, proves the recomputed ledger extends it.
 * Events may come as values or as their stored JSON texts (`ledgerEvents`): the report is the same.
 */
export async function verifyLedger(
  events: AsyncIterable<StoredEvent | StoredEventJson>,
  options: { log?: LogView; against?: KeptCheckpoint; onProgress?: (checked: number) => void } = {},
): Promise<VerifyReport> {
  const failures: VerifyFailure[] = [];
  const tails = new Map<string, { revision: number; hash: string }>();
  const frontier = Frontier.empty();
  let checked = 0;

  for await (const item of events) {
    const e = rehash(item);
    let tail = tails.get(e.stream);
    if (!tail) tails.set(e.stream, (tail = { revision: -1, hash: ZERO_HASH }));
    if (e.revision <= tail.revision) failures.push({ stream: e.stream, revision: e.revision, reason: 'out-of-order', detail: `revision ${e.revision} after ${tail.revision}` });
    else if (e.revision > tail.revision + 1) failures.push({ stream: e.stream, revision: e.revision, reason: 'gap', detail: `revisions ${tail.revision + 1}..${e.revision - 1} missing` });
    if (e.metadata.prevHash !== tail.hash) failures.push({ stream: e.stream, revision: e.revision, reason: 'broken-link', detail: `prevHash does not match the hash of revision ${tail.revision}` });
    const { hash } = e.metadata;
    if (e.actual !== hash) failures.push({ stream: e.stream, revision: e.revision, reason: 'hash-mismatch', detail: `stored ${hash}, computed ${e.actual}` });
    // The tail is this map's own object: updated in place rather than replaced for every event.
    tail.revision = Math.max(e.revision, tail.revision);
    tail.hash = hash;
    // The log's leaf is the stored hash: a rewritten event whose hash was recomputed changes the root.
    frontier.push(leafHash(fromHex(hash)));
    checked++;
    if (options.onProgress && checked % 10_000 === 0) options.onProgress(checked);
  }
  options.onProgress?.(checked);
  const root = toHex(frontier.root());

  const { log, against } = options;
  if (log) {
    const size = Math.min(log.size(), checked);
    if (size === checked && log.root(size) !== root) {
      failures.push({ stream: '$log', revision: size, reason: 'log-root-mismatch', detail: `the log's root ${log.root(size)} differs from the events' root ${root}` });
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
