import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/audit/verify-ledger.js';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import { expectStatus, scenario } from './fixtures.js';
import { openApiUnderTest, type ApiUnderTest } from './harness.js';

/** Tampering needs the file: the shared suite runs on a store in memory. */
describe('POST /api/audit/verify on a ledger whose last events were deleted from the file', () => {
  let dir: string;
  let path: string;
  let api: ApiUnderTest;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-api-verify-'));
    path = join(dir, 'ledger.db');
    api = await openApiUnderTest(async () => ({ store: new SqliteEventStore(path) }));
  });
  afterEach(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the removal, though every chain left still holds', async () => {
    await scenario(api);
    const intact = expectStatus(await api.as('auditor').post('/api/audit/verify'), 200) as unknown as VerifyReport;
    expect(intact).toMatchObject({ ok: true, failures: [] });

    const raw = new Database(path);
    const removed = raw.prepare('DELETE FROM events WHERE position = (SELECT max(position) FROM events)').run();
    raw.close();
    expect(removed.changes).toBe(1);

    const report = expectStatus(await api.as('auditor').post('/api/audit/verify'), 200) as unknown as VerifyReport;
    expect(report.ok).toBe(false);
    expect(report.checked).toBe(intact.checked - 1);
    expect(report.failures).toEqual([expect.objectContaining({ stream: '$log', reason: 'events-removed' })]);
  });
});
