export * from './ids.js';
export * from './issues.js';
export * from './topics.js';
export * from './payloads.js';
export * from './validate.js';
export * from './community-config.js';
export * from './registry.js';
export * from './access.js';
