/** The device simulators as a library (`#sim`): models, scenarios, planned runs, replay, load, oracle. */
export * from './prng.js';
export * from './acoustics.js';
export * from './local-time.js';
export * from './durations.js';
export * from './scenario/incident-kinds.js';
export * from './scenario/scenario-file.js';
export * from './scenario/catalogue.js';
export * from './models/index.js';
export * from './plan/device-plan.js';
export * from './plan/scenario-run.js';
export * from './publish/publishing-connection.js';
export * from './publish/provision.js';
export * from './publish/replay.js';
export * from './load/load-generator.js';
export * from './oracle/alert-oracle.js';
export * from './oracle/expectations.js';
export * from './plan/synthetic-community.js';
