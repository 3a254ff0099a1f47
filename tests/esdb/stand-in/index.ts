export { EsdbStandIn, type EsdbStandInOptions } from './stand-in.js';
export type { LogRecord, WriteResult } from './log.js';
