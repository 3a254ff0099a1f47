export { EsdbEventStore, openEsdbStore, type EsdbStoreOptions } from './esdb-store.js';
export { redactConnectionString } from './connection.js';
export { ulidToUuid, uuidToUlid } from './ids.js';
export { ForeignEventError } from './records.js';
export type { ReconnectPolicy } from './subscription.js';
