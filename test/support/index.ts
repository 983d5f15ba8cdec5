export * from './ports.js';
export * from './temp.js';
export * from './influxd.js';
export * from './mosquitto.js';
export * from './pipeline.js';
export * from './wait.js';
export * from './messages.js';
export * from './influx-points.js';
