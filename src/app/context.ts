import type { RetrySafety } from './retry-safety.js';

/** Who is acting and under which request, supplied by the edge (HTTP, CLI, seeder), never by a request body. */
export interface CommandContext {
  actor: string;
  correlationId: string;
  /** The request or event that caused this command; defaults to the correlation id. */
  causationId?: string;
  /** The client's `If-Match`: the stream revision it last saw. A stale one is refused, never retried. */
  expectedRevision?: number;
  /** Present when the edge can have this write retried after a crash (an Idempotency-Key). */
  retry?: RetrySafety | undefined;
}

/** The clock and id source, injectable so the seeder can replay history and tests stay deterministic. */
export interface Environment {
  now: () => Date;
  newId: () => string;
}
