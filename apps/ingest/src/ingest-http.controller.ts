import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { MetricsRegistry } from '#observability';
import { InfluxStore } from '#storage';
import { METRICS } from './ingest.service.js';
import type { RawMqttServer } from './raw-mqtt.server.js';

export const MQTT_SERVER = Symbol('MQTT_SERVER');

/** HTTP: /health and /metrics of the ingest process (INGEST_PORT). */
@Controller()
export class IngestHttpController {
  constructor(
    @Inject(METRICS) private readonly metrics: MetricsRegistry,
    @Inject(MQTT_SERVER) private readonly server: RawMqttServer,
    private readonly store: InfluxStore,
  ) {}

  @Get('health')
  health() {
    let mqtt = 'disconnected';
    try {
      mqtt = this.server.client.connected ? 'connected' : 'reconnecting';
    } catch {
      mqtt = 'starting';
    }
    const stats = this.store.writer.stats;
    return { status: mqtt === 'connected' ? 'ok' : 'degraded', service: 'ingest', mqtt, influx: { written: stats.written, backlog: stats.backlog, failedAttempts: stats.failedAttempts } };
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  render(): string {
    return this.metrics.render();
  }
}
