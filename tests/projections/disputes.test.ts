import { describe, expect, it } from 'vitest';
import { disputesView } from '../../projections/disputes.js';
import { EUROPOL, LE_SOIR, SKYECC, assessed, ctx, id, modelOf, opened, qty, recorded } from '../support/projection-fixtures.js';

const citation = { url: 'https://example.org/sky-ecc', title: 'Sky ECC', language: 'en' };

describe('disputes', () => {
  it('puts the positions side by side with source names, quotes and citations', () => {
    const view = disputesView(
      modelOf(
        opened(),
        recorded('a1', { fact: 'encryption.compromised', value: { type: 'boolean', value: true }, quote: 'unlocked the encryption', citation }),
        recorded('a2', { fact: 'encryption.compromised', value: { type: 'boolean', value: false }, sourceId: SKYECC, quote: 'no authorized device was hacked' }),
      ),
      ctx(),
    );
    expect(view.disputes).toEqual([
      {
        fact: 'encryption.compromised',
        status: 'disputed',
        positions: [
          { assertionId: id('a1'), sourceId: EUROPOL, sourceName: 'Europol', value: { type: 'boolean', value: true }, quote: 'unlocked the encryption', citation },
          { assertionId: id('a2'), sourceId: SKYECC, sourceName: 'Sky ECC', value: { type: 'boolean', value: false }, quote: 'no authorized device was hacked' },
        ],
        conflicts: [[id('a1'), id('a2')]],
      },
    ]);
  });

  it('lists only the pairs that conflict', () => {
    const millions = { type: 'quantity', min: 1e8, max: 1e9, text: 'hundreds of millions' } as const;
    const thousands = { type: 'quantity', min: 1e5, max: 1e6, text: 'hundreds of thousands' } as const;
    const [dispute] = disputesView(
      modelOf(
        opened(),
        recorded('a1', { fact: 'messages.monitored', value: millions }),
        recorded('a2', { fact: 'messages.monitored', value: thousands, sourceId: LE_SOIR }),
        recorded('a3', { fact: 'messages.monitored', value: qty(5e8, { approximate: true }), sourceId: SKYECC }),
      ),
      ctx(),
    ).disputes;
    expect(dispute?.conflicts).toEqual([
      [id('a1'), id('a2')],
      [id('a2'), id('a3')],
    ]);
  });

  it('leaves out facts the sources agree on', () =>
    expect(disputesView(modelOf(opened(), recorded('a1'), recorded('a2', { sourceId: SKYECC, value: qty(175000) })), ctx()).disputes).toEqual([]));

  it('shows the latest assessment, and keeps the dispute', () => {
    const [dispute] = disputesView(
      modelOf(
        opened(),
        recorded('a1', { value: qty(1) }),
        recorded('a2', { value: qty(2), sourceId: SKYECC }),
        assessed('users.worldwide', ['a1'], 'first ruling'),
        assessed('users.worldwide', ['a2'], 'second ruling'),
      ),
      ctx(),
    ).disputes;
    expect(dispute).toMatchObject({ status: 'assessed', assessment: { preferred: [id('a2')], rationale: 'second ruling', revision: 4 } });
    expect(dispute?.positions).toHaveLength(2);
  });

  it('names a source it does not know yet by its id', () => {
    const stranger = id('stranger');
    const [dispute] = disputesView(modelOf(opened(), recorded('a1', { value: qty(1) }), recorded('a2', { value: qty(2), sourceId: stranger })), ctx()).disputes;
    expect(dispute?.positions[1]?.sourceName).toBe(stranger);
  });
});
