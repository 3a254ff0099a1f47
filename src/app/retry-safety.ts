import { hash } from 'node:crypto';
import { decodeTime, ulid } from 'ulid';
import { z } from 'zod';

/**
 * An append a write noted just before making it: where its first event would go and under which
 * id. A retry of the write after a crash reads that revision to learn whether it happened.
 */
export const PreparedAppend = z.object({
  stream: z.string().min(1),
  firstRevision: z.number().int().nonnegative(),
  firstEventId: z.string().min(1),
  count: z.number().int().positive(),
});
export type PreparedAppend = z.infer<typeof PreparedAppend>;

/**
 * What makes a write safe to retry even when the process died between appending and answering
 * (api/idempotency.ts supplies it for requests with an Idempotency-Key): every id the write draws
 * comes from a sequence a retry draws again, so a retry answers with the same ids; and the append
 * is noted before it is made, so a retry finds it instead of making it twice.
 */
export interface RetrySafety {
  newId(): string;
  /** The append an earlier attempt of this write noted, if any. */
  readonly prepared: PreparedAppend | undefined;
  /** Notes the append about to be made; durable before it returns. */
  prepare(append: PreparedAppend): void;
}

/**
 * ULIDs drawn from a seed (itself a ULID): the seed's instant, and 80 bits of SHA-256 of the seed
 * and the draw's number. The same seed gives the same sequence; distinct seeds, distinct ids.
 */
export function idSequence(seed: string): () => string {
  const time = decodeTime(seed);
  let drawn = 0;
  return () => {
    const bytes = hash('sha256', `${seed}/${drawn++}`, 'buffer');
    let next = 0;
    // ulid() takes one character from each PRNG draw: a byte gives 5 bits of it.
    return ulid(time, () => bytes[next++]! / 256);
  };
}
