export * from './catalogue.js';
export * from './ids.js';
export * from './incident-events.js';
export * from './metadata.js';
export * from './source-events.js';
export * from './upcasters.js';
export * from './values.js';
