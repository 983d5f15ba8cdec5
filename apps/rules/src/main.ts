import 'reflect-metadata';
import { runService } from '#config';
import { startRules } from './start.js';

/** The rules app: MQTT device topics -> rules on event time -> alerts on gc/{communityId}/alerts and in InfluxDB; /health and /metrics on RULES_PORT. */
await runService('rules', (config) => startRules(config));
