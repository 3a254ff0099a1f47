export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-store.js';
export { openSqliteReadOnly, openStateDatabase, SCHEMA_VERSION, type SqliteDatabase } from './schema.js';
export { toStoredEvent, type EventRow } from './rows.js';
