import 'reflect-metadata';
import { runService } from '#config';
import { startApi } from './start.js';

/** The api app: HTTP API for property managers (API_PORT), alerts from gc/+/alerts, notifications. */
await runService('api', (config) => startApi(config));
