import { toHex } from '../log/hex.js';
import { EMPTY_ROOT, verifyConsistency } from '../log/merkle.js';
import type { EventStore } from '../store/port.js';
import { LedgerWalk, type VerifyFailure } from './ledger-walk.js';
import { walkLedger, type Verifiable, type WorkerOption } from './rehash-pipeline.js';

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
}

/** `$all` in the form verification checks best: the stored JSON texts where the store offers them. */
export function ledgerEvents(store: EventStore): AsyncIterable<Verifiable> {
  return store.readAllJson ? store.readAllJson() : store.readAll();
}

/** The same, a page at a time where the store reads in pages: what verifyLedger checks fastest. */
export function ledgerPages(store: EventStore): AsyncIterable<Verifiable | readonly Verifiable[]> {
  return store.readAllJsonPages ? store.readAllJsonPages() : ledgerEvents(store);
}

export interface VerifyOptions {
  log?: LogView;
  against?: KeptCheckpoint;
  onProgress?: (checked: number) => void;
  /**
   * Whether events read as texts may be rehashed on a second thread too, and after how many
   * events it is started (by default a few thousand, so a small ledger never starts one); false
   * keeps every hash on this thread. The report is the same either way.
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
export async function verifyLedger(events: AsyncIterable<Verifiable | readonly Verifiable[]>, options: VerifyOptions = {}): Promise<VerifyReport> {
  const walk = new LedgerWalk(options.onProgress);
  await walkLedger(events, walk, options.worker);
  const { failures, checked } = walk;
  options.onProgress?.(checked);
  const root = walk.root();

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
