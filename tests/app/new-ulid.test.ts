import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { Ulid } from '../../events/index.js';
import { newUlid } from '../../src/app/new-ulid.js';

describe('newUlid', () => {
  it('gives distinct, valid ULIDs well past one pool of random bytes', () => {
    // 16 bytes a ULID: 2,000 of them refill the 4 KiB pool several times.
    const ids = Array.from({ length: 2_000 }, () => newUlid());
    for (const id of ids) expect(Ulid.safeParse(id).success, id).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries the instant it is given, or now', () => {
    const at = Date.parse('2021-03-10T09:00:00Z');
    expect(decodeTime(newUlid(at))).toBe(at);
    const before = Date.now();
    const now = decodeTime(newUlid());
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('draws every random character evenly from the 32 of the alphabet', () => {
    const counts = new Map<string, number>();
    const n = 4_000;
    for (let i = 0; i < n; i++) for (const c of newUlid().slice(10)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    // 64,000 characters, 2,000 expected each: a biased draw (a byte scaled wrongly, a bit lost) lands far outside.
    for (const count of counts.values()) expect(count).toBeGreaterThan(1_700);
    for (const count of counts.values()) expect(count).toBeLessThan(2_300);
  });
});
