import { describe, expect, it } from 'vitest';
import { configFor } from '../../bench/config.js';
import { firstBatches, inBatchesOf } from '../../bench/figures/append.js';
import { LedgerGenerator } from '../../bench/generator.js';

describe('the event sets the append figures write', () => {
  const gen = new LedgerGenerator(configFor('smoke').shape);
  const batches = inBatchesOf(gen, 1_000, 100);
  const count = (set: ReturnType<typeof inBatchesOf>) => set.reduce((sum, b) => sum + b.events.length, 0);

  it('regroups the first events by stream into appends of at most 100', () => {
    expect(count(batches)).toBe(1_000);
    for (const batch of batches) expect(batch.events.length).toBeLessThanOrEqual(100);
  });

  it('takes the first whole appends holding the events asked for, in order', () => {
    const some = firstBatches(batches, 250);
    expect(some).toEqual(batches.slice(0, some.length));
    expect(count(some)).toBeGreaterThanOrEqual(250);
    expect(count(some.slice(0, -1))).toBeLessThan(250);
  });

  it('takes every append when asked for more events than they hold', () => {
    expect(firstBatches(batches, 5_000)).toEqual(batches);
    expect(firstBatches(batches, 0)).toEqual([]);
  });
});
