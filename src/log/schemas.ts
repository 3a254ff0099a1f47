import { z } from 'zod';

/**
 * The log's answers as they travel (HTTP, files an auditor keeps): zod schemas so the API can
 * derive OpenAPI from them and an auditor can parse what it was sent before verifying it.
 */

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256');
const TreeSize = z.number().int().nonnegative();

/** The signed statement: the log had `size` leaves with root `root` at `at`. */
export const CheckpointBody = z.object({
  size: TreeSize,
  root: Sha256Hex,
  at: z.iso.datetime(),
});
export type CheckpointBody = z.infer<typeof CheckpointBody>;

export const Checkpoint = CheckpointBody.extend({
  /** Ed25519 over the canonical JSON of {size, root, at}, base64. */
  signature: z.string().min(1).optional(),
});
export type Checkpoint = z.infer<typeof Checkpoint>;

export const InclusionProof = z.object({
  leafIndex: TreeSize,
  size: TreeSize,
  /** SHA-256(0x00 ‖ event chain hash bytes). */
  leafHash: Sha256Hex,
  /** Sibling hashes from the leaf up (RFC 9162 PATH). */
  proof: z.array(Sha256Hex),
});
export type InclusionProof = z.infer<typeof InclusionProof>;

export const ConsistencyProof = z.object({
  from: TreeSize,
  to: TreeSize,
  /** RFC 9162 PROOF(from, D[to]); empty when from = to. */
  proof: z.array(Sha256Hex),
});
export type ConsistencyProof = z.infer<typeof ConsistencyProof>;
