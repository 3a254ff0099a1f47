import { describe, expect, it } from 'vitest';
import { EventMetadataInput, LedgerEvent } from '../../events/index.js';
import { configFor } from '../../bench/config.js';
import { LedgerGenerator } from '../../bench/generator.js';

describe('the bench ledger generator', () => {
  const shape = configFor('smoke').shape;

  it('writes only events the catalogue accepts, in global time order, exactly as many as asked', () => {
    let count = 0;
    let last = '';
    for (const batch of new LedgerGenerator(shape).batches()) {
      expect(batch.events.length).toBeGreaterThan(0);
      for (const e of batch.events) {
        const parsed = LedgerEvent.safeParse({ type: e.type, data: e.data });
        expect(parsed.success, `${e.type} ${JSON.stringify(e.data)}: ${parsed.error?.message}`).toBe(true);
        expect(EventMetadataInput.safeParse(e.metadata).success).toBe(true);
        expect(e.metadata.recordedAt >= last).toBe(true);
        last = e.metadata.recordedAt;
        count++;
      }
    }
    expect(count).toBe(shape.events);
  });

  it('is deterministic', () => {
    const first = (g: LedgerGenerator) => [...g.batches()].slice(0, 50).map((b) => b.events.map((e) => e.metadata.eventId).join());
    expect(first(new LedgerGenerator(shape))).toEqual(first(new LedgerGenerator(shape)));
  });
});
