import { describe } from 'vitest';
import { describeEventStoreContract } from '../store/contract.js';
import { openEsdbUnderTest, realConnectionString } from './harness.js';

// Against a real server when ESDB_CONNECTION_STRING is set, else against the in-process stand-in.
describeEventStoreContract(realConnectionString() ? 'EventStoreDB (ESDB_CONNECTION_STRING)' : 'EventStoreDB stand-in', () => openEsdbUnderTest());

// Servers before 21.10 have no BatchAppend and before 23.10 send no caught_up: the adapter
// must keep the contract through the client's older Append path and its own head check.
describe.skipIf(realConnectionString() !== undefined)('on an older server', () => {
  describeEventStoreContract('EventStoreDB stand-in without BatchAppend or caught_up', () =>
    openEsdbUnderTest({ standIn: { batchAppend: false, caughtUp: false } }),
  );
});
