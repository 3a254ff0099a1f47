import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import { describeApiSuite } from './suite.js';

describeApiSuite('SQLite (in memory)', async () => ({ store: new SqliteEventStore(':memory:') }));
