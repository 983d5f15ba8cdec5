export * from './ack-gate.js';
export * from './raw-mqtt.server.js';
export * from './end-client.js';
