/** Where a projection stands: the last global position it applied and its state at that point. */
export interface ProjectionCheckpoint {
  position: number;
  state: unknown;
  /** ISO instant of the save; informative only. */
  updatedAt?: string;
}

/** Persists projection checkpoints so a restart resumes instead of replaying from zero. */
export interface CheckpointStore {
  load(name: string): Promise<ProjectionCheckpoint | undefined>;
  /** Replaces the checkpoint atomically: position and state always match. */
  save(name: string, checkpoint: { position: number; state: unknown }): Promise<void>;
}
