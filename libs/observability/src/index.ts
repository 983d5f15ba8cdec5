export * from './health.js';
export * from './metrics.js';
export * from './rate-limited-logger.js';
export * from './service-http.controller.js';
