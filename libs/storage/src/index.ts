export * from './line-protocol.js';
export * from './schema.js';
export * from './influx-connection.js';
export * from './point-writer.js';
export * from './storage.module.js';
export * from './device-secrets.js';
export * from './local-influxd.js';
