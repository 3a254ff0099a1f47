// The projections room's front door: pure folds and views, and the runner that keeps the global ones current.
export * from './checkpoint-store.js';
export * from './compatibility.js';
export * from './disputes.js';
export * from './fact-analysis.js';
export * from './facts-view.js';
export * from './fold.js';
export * from './global-models.js';
export * from './history.js';
export * from './incident-model.js';
export * from './incident-replay.js';
export * from './incident-view.js';
export * from './pagination.js';
export * from './runner.js';
export * from './schemas.js';
export * from './text.js';
export * from './timeline.js';
export * from './view-context.js';
