import 'reflect-metadata';
import { runService } from '#config';
import { startIngest } from './start.js';

/** The ingest app: MQTT device topics -> validation -> InfluxDB, /health and /metrics on INGEST_PORT. */
await runService('ingest', startIngest);
