import { Controller, Inject } from '@nestjs/common';
import { type MetricsRegistry, ServiceHttpController, healthReport } from '#observability';
import { DurableLineWriter, InfluxStore } from '#storage';
import { METRICS } from './ingest.service.js';
import type { RawMqttServer } from '#messaging';

export const MQTT_SERVER = Symbol('MQTT_SERVER');

/** HTTP: /health and /metrics of the ingest process (INGEST_PORT). Healthy while connected and under the journal's disk budget. */
@Controller()
export class IngestHttpController extends ServiceHttpController {
  constructor(
    @Inject(METRICS) protected readonly metrics: MetricsRegistry,
    @Inject(MQTT_SERVER) private readonly server: RawMqttServer,
    private readonly store: InfluxStore,
    private readonly durable: DurableLineWriter,
  ) {
    super();
  }

  protected report() {
    const mqtt = this.server.connectionState;
    const writer = this.store.writer.stats;
    const journal = this.durable.stats;
    return healthReport('ingest', mqtt === 'connected' && !journal.overBudget, {
      mqtt,
      influx: { written: writer.written, refused: writer.rejected, failedAttempts: writer.failedAttempts, inMemory: writer.backlog },
      journal: { backlog: journal.backlog, bytes: journal.journalBytes, segments: journal.journalSegments, spilling: journal.spilling, overBudget: journal.overBudget, recoveredAtStart: journal.recovered },
    });
  }
}
