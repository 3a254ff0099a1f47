import type { Checkpoint } from '../log/schemas.js';
import { loadPublicKey, verifyCheckpointSignature } from '../log/signing.js';
import { errorMessage, usageError } from './io.js';
import { readPublicKey } from './options.js';
import type { AuditClient } from './remote.js';

/** One verification failure, named the way verifyLedger names them. */
export interface Failure {
  stream: string;
  revision: number;
  reason: string;
  detail: string;
}

/** The key checkpoints are checked with, and whether the auditor pinned it or took the ledger's word. */
export interface TrustedKey {
  key: string;
  /** From --public-key: every checkpoint must then be signed by it. */
  pinned: boolean;
  source: string;
}

/**
 * --public-key wins; otherwise the key the ledger itself offers (the server's, or the local
 * signing key): that still catches a checkpoint file altered after it was signed, but says
 * nothing about who signed, so the report says where the key came from.
 */
export async function resolveKey(options: { publicKey?: string | undefined }, fallback: () => Promise<string | undefined> | string | undefined): Promise<TrustedKey | undefined> {
  if (options.publicKey !== undefined) return { key: pinnedKey(options.publicKey), pinned: true, source: options.publicKey };
  const key = await fallback();
  return key === undefined ? undefined : { key, pinned: false, source: 'the ledger itself (not pinned: pass --public-key)' };
}

/**
 * The --public-key file's text, once it reads as an Ed25519 key. A key that does not is the
 * auditor's mistake (exit 2): checked with it, every signature would "not verify" and read as
 * tampering.
 */
function pinnedKey(path: string): string {
  const key = readPublicKey(path);
  try {
    loadPublicKey(key);
  } catch (error) {
    throw usageError(`--public-key ${path} is not a usable key: ${errorMessage(error)}`);
  }
  return key;
}

export const serverKey = (client: AuditClient) => () => client.publicKey();

/**
 * Where a checkpoint comes from, which decides whether a pinned key must have signed it.
 *
 * `claimed`: someone else states it (a server, a file an auditor kept). A signature by the
 * pinned key is what makes it theirs, so an unsigned one is refused.
 *
 * `computed`: this run of the CLI recomputed it from the local log it is checking (the current
 * root, or a past size's root, which the log never signs). It is nobody's claim, so there is
 * no one whose signature to demand, and demanding one would fail every valid proof into a past
 * size. Nor would a signature add anything: a root recomputed from a rewritten file is the
 * rewritten root, signed or not. What ties the local ledger to outside history is a claimed
 * checkpoint (--checkpoint FILE), and that still must be signed. A signature a computed
 * checkpoint does carry (LEDGER_SIGNING_KEY is set) is still checked against the pinned key:
 * a mismatch means the ledger signs with another key than the auditor pinned.
 */
export type CheckpointOrigin = 'claimed' | 'computed';

/** Undefined when the checkpoint is acceptable under `trust`; otherwise why not. A signature that is there is always checked. */
export function signatureProblem(checkpoint: Checkpoint, name: string, trust: TrustedKey | undefined, origin: CheckpointOrigin = 'claimed'): string | undefined {
  if (trust === undefined) return undefined;
  if (checkpoint.signature === undefined) return trust.pinned && origin === 'claimed' ? `${name} is not signed, and --public-key requires signed checkpoints` : undefined;
  return verifyCheckpointSignature(checkpoint, trust.key) ? undefined : `${name}'s signature does not verify with ${trust.pinned ? 'the pinned key' : "the ledger's public key"}`;
}

/** A note for the report when a signature could not be checked at all. */
export function unsignedNote(checkpoint: Checkpoint, name: string, trust: TrustedKey | undefined): string | undefined {
  if (checkpoint.signature !== undefined && trust === undefined) return `${name} is signed, but no public key was available to check it (pass --public-key)`;
  return undefined;
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order in the results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
