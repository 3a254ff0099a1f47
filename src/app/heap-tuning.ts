import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring in a serving process, before it builds its models.
 *
 * Why: folds that keep what they build (an incident's latest model, the index "as of" reads
 * need) teach V8 that the allocation sites in projections/ make long-lived objects, so it
 * allocates their objects in the old generation from then on. The "as of" folds run the same
 * code: their short-lived records then land in the old generation too, where they keep the young
 * objects they point to alive until a full collection. Measured on a 10,500-event incident,
 * every young-generation collection during "as of" reads copied about 3 MB (pauses of 6-12 ms);
 * with pretenuring off, and the views of scattered "as of" reads no longer memoised (see
 * ReadModels.viewsAt), about 20 KB (under 1 ms), with rebuild throughput the same within noise
 * (bench/analysis.md). The flag is read at each collection, so setting it at start-up works.
 */
export function turnOffPretenuring(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
