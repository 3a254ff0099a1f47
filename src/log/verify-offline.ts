import type { KeyObject } from 'node:crypto';
import { parseSha256Hex, toHex } from './hex.js';
import { EMPTY_ROOT, leafHash, verifyConsistency, verifyInclusion } from './merkle.js';
import type { Checkpoint, ConsistencyProof, InclusionProof } from './schemas.js';
import { verifyCheckpointSignature } from './signing.js';

/**
 * What an outside auditor runs on the log's answers, with nothing but the answers, the
 * checkpoints it kept and the log's public key: no database, no network, no clock.
 */

export type Verdict = { ok: true } | { ok: false; reason: string };

export interface TrustOptions {
  /** The log's Ed25519 public key (PEM, raw base64 or KeyObject). When given, every checkpoint must be signed by it. */
  publicKey?: string | KeyObject;
}

const ok: Verdict = { ok: true };
const fail = (reason: string): Verdict => ({ ok: false, reason });

/** The leaf hash the log uses for an event whose chain hash (metadata.hash) is `eventHash`. */
export function leafHashOfEvent(eventHash: string): string {
  const bytes = parseSha256Hex(eventHash);
  if (!bytes) throw new TypeError('an event hash is 64 lowercase hex characters');
  return toHex(leafHash(bytes));
}

function checkSignature(checkpoint: Checkpoint, options: TrustOptions, name: string): Verdict {
  if (options.publicKey === undefined) return ok;
  return verifyCheckpointSignature(checkpoint, options.publicKey) ? ok : fail(`${name} is not signed by the given key`);
}

function parseProof(proof: readonly string[]): Buffer[] | undefined {
  const bytes = proof.map(parseSha256Hex);
  return bytes.every((b) => b !== undefined) ? (bytes as Buffer[]) : undefined;
}

/**
 * Is the proved leaf in the ledger of `checkpoint`? Pass `eventHash` (the chain hash of the
 * event you hold) to also tie the leaf to that event rather than trusting the leafHash sent.
 */
export function verifyInclusionAgainstCheckpoint(
  response: InclusionProof,
  checkpoint: Checkpoint,
  options: TrustOptions & { eventHash?: string } = {},
): Verdict {
  const signed = checkSignature(checkpoint, options, 'checkpoint');
  if (!signed.ok) return signed;
  if (response.size !== checkpoint.size) return fail(`proof is for size ${response.size}, checkpoint has size ${checkpoint.size}`);
  const leaf = parseSha256Hex(response.leafHash);
  const root = parseSha256Hex(checkpoint.root);
  const proof = parseProof(response.proof);
  if (!leaf || !root || !proof) return fail('hashes must be 64 lowercase hex characters');
  if (options.eventHash !== undefined) {
    const expected = parseSha256Hex(options.eventHash);
    if (!expected || !leafHash(expected).equals(leaf)) return fail('leafHash is not the leaf of the given event hash');
  }
  return verifyInclusion(response.leafIndex, response.size, leaf, proof, root)
    ? ok
    : fail(`leaf ${response.leafIndex} is not proved in the tree of size ${response.size} with root ${checkpoint.root}`);
}

/** Does the ledger of `newer` extend the ledger of `older`, with nothing rewritten? */
export function verifyConsistencyBetween(
  older: Checkpoint,
  newer: Checkpoint,
  response: ConsistencyProof,
  options: TrustOptions = {},
): Verdict {
  for (const [checkpoint, name] of [[older, 'older checkpoint'], [newer, 'newer checkpoint']] as const) {
    const signed = checkSignature(checkpoint, options, name);
    if (!signed.ok) return signed;
  }
  if (response.from !== older.size || response.to !== newer.size) {
    return fail(`proof is from ${response.from} to ${response.to}, checkpoints are ${older.size} and ${newer.size}`);
  }
  const root1 = parseSha256Hex(older.root);
  const root2 = parseSha256Hex(newer.root);
  const proof = parseProof(response.proof);
  if (!root1 || !root2 || !proof) return fail('hashes must be 64 lowercase hex characters');
  if (older.size === 0) {
    // Every tree extends the empty one; RFC 9162 has no proof for it, only its fixed root to check.
    return root1.equals(EMPTY_ROOT) && proof.length === 0 ? ok : fail('an empty checkpoint must have the empty root and an empty proof');
  }
  return verifyConsistency(older.size, newer.size, proof, root1, root2)
    ? ok
    : fail(`the tree of size ${newer.size} is not proved to extend the tree of size ${older.size}`);
}
