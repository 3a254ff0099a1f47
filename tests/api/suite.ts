/**
 * The HTTP API suite, written once and run unchanged against every store (sqlite.test.ts,
 * esdb.test.ts). Each store gets one app; tests make their own incidents and sources, so they
 * assume nothing about what else the store holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiUnderTest, type ApiUnderTest, type StoreFactory } from './harness.js';
import { describeAccess } from './suite/access.js';
import { describeAudit } from './suite/audit.js';
import type { ApiSuiteContext } from './suite/context.js';
import { describeDemo } from './suite/demo.js';
import { describeOperations } from './suite/operations.js';
import { describeReading } from './suite/reading.js';
import { describeRefusals } from './suite/refusals.js';
import { describeValidation } from './suite/validation.js';
import { describeWriting } from './suite/writing.js';

export type { StoreFactory } from './harness.js';

export function describeApiSuite(name: string, storeFactory: StoreFactory): void {
  describe(`HTTP API on ${name}`, () => {
    let underTest: ApiUnderTest | undefined;
    beforeAll(async () => {
      underTest = await openApiUnderTest(storeFactory);
    });
    afterAll(async () => {
      await underTest?.close();
    });

    const t: ApiSuiteContext = {
      get api() {
        if (!underTest) throw new Error('the app under test has not been built');
        return underTest;
      },
    };

    describeWriting(t);
    describeReading(t);
    describeValidation(t);
    describeAccess(t);
    describeRefusals(t);
    describeAudit(t);
    describeOperations(t);
    describeDemo(t);

    it('reported no failure in the background (projection runner, ledger log) throughout', () => {
      expect(t.api.backgroundErrors.map(String)).toEqual([]);
    });
  });
}
