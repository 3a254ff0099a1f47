import type { ApiUnderTest } from '../harness.js';

/** What each part of the suite gets: the app under test, once the suite's beforeAll has built it. */
export interface ApiSuiteContext {
  readonly api: ApiUnderTest;
}
