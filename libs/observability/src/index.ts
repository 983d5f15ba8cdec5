export * from './health.js';
export * from './metrics.js';
export * from './rate-limited-logger.js';
