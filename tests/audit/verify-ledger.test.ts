import { describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/audit/verify-ledger.js';
import { EMPTY_ROOT } from '../../src/log/merkle.js';

async function* none() {}

describe('verifying a kept checkpoint of size 0', () => {
  it('accepts the empty-tree root', async () => {
    const report = await verifyLedger(none(), { against: { size: 0, root: EMPTY_ROOT.toString('hex') } });
    expect(report.ok).toBe(true);
  });

  it('refuses a forged root', async () => {
    const report = await verifyLedger(none(), { against: { size: 0, root: 'aa'.repeat(32) } });
    expect(report.ok).toBe(false);
    expect(report.failures[0]?.reason).toBe('checkpoint-not-extended');
  });
});
