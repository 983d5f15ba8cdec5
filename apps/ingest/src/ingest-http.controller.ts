import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { type MetricsRegistry, healthHttpStatus, healthReport } from '#observability';
import { DurableLineWriter, InfluxStore } from '#storage';
import { METRICS } from './ingest.service.js';
import type { RawMqttServer } from '#messaging';

export const MQTT_SERVER = Symbol('MQTT_SERVER');

/** HTTP: /health and /metrics of the ingest process (INGEST_PORT). */
@Controller()
export class IngestHttpController {
  constructor(
    @Inject(METRICS) private readonly metrics: MetricsRegistry,
    @Inject(MQTT_SERVER) private readonly server: RawMqttServer,
    private readonly store: InfluxStore,
    private readonly durable: DurableLineWriter,
  ) {}

  /** 200 when ok, 503 when degraded (healthHttpStatus); the same body either way. */
  @Get('health')
  health(@Res({ passthrough: true }) response: { status(code: number): unknown }) {
    const mqtt = this.server.connectionState;
    const writer = this.store.writer.stats;
    const journal = this.durable.stats;
    const ok = mqtt === 'connected' && !journal.overBudget;
    const report = healthReport('ingest', ok, {
      mqtt,
      influx: { written: writer.written, refused: writer.rejected, failedAttempts: writer.failedAttempts, inMemory: writer.backlog },
      journal: { backlog: journal.backlog, bytes: journal.journalBytes, segments: journal.journalSegments, spilling: journal.spilling, overBudget: journal.overBudget, recoveredAtStart: journal.recovered },
    });
    response.status(healthHttpStatus(report));
    return report;
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  render(): string {
    return this.metrics.render();
  }
}
