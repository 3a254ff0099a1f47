import { openEsdbUnderTest, realConnectionString } from '../esdb/harness.js';
import { describeApiSuite } from './suite.js';

// Against a real server when ESDB_CONNECTION_STRING is set (npm run test:esdb), else the in-process stand-in.
describeApiSuite(realConnectionString() ? 'EventStoreDB (ESDB_CONNECTION_STRING)' : 'the EventStoreDB stand-in', () => openEsdbUnderTest());
