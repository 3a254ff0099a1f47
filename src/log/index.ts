// The ledger log's front door for the API and CLI; tests and auditors may import files directly.
export { LedgerLogError, type LedgerLogErrorCode } from './errors.js';
export type { FollowOptions, LogFollower } from './follow.js';
export { LedgerLog, type AppendSummary, type LedgerLogOptions } from './ledger-log.js';
export { EMPTY_ROOT, leafHash, nodeHash, verifyConsistency, verifyInclusion } from './merkle.js';
export { Checkpoint, CheckpointBody, ConsistencyProof, InclusionProof } from './schemas.js';
export {
  checkpointMessage,
  checkpointSigner,
  generateSigningKeyPem,
  loadSigningKey,
  publicKeyPem,
  publicKeyRaw,
  signCheckpoint,
  verifyCheckpointSignature,
  type CheckpointSigner,
} from './signing.js';
export {
  leafHashOfEvent,
  verifyConsistencyBetween,
  verifyInclusionAgainstCheckpoint,
  type TrustOptions,
  type Verdict,
} from './verify-offline.js';
