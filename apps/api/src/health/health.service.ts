import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { type MetricsRegistry, healthReport } from '#observability';
import { RegistryDatabase } from '#registry';
import { InfluxStore } from '#storage';
import { AlertSubscriber } from '../alerts/alert-subscriber.js';
import { API_METRICS } from '../tokens.js';
import { ServiceProbe } from './service-probe.js';

type Check = { status: 'ok' | 'down' | 'unknown'; detail?: string };

/**
 * /health: the api's own dependencies (SQLite, InfluxDB, its MQTT session) and the other services
 * it can reach: the ingest's /health (INGEST_PORT), the rules' /health (RULES_PORT), the embedded
 * broker's /health (MQTT_WS_PORT, when MQTT_URL points at it).
 * /metrics: the api's registry, followed by the ingest's, the rules' and the broker's.
 */
@Injectable()
export class HealthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(API_METRICS) private readonly metrics: MetricsRegistry,
    private readonly database: RegistryDatabase,
    private readonly influx: InfluxStore,
    private readonly subscriber: AlertSubscriber,
    private readonly probe: ServiceProbe,
  ) {}

  async health() {
    const [influx, ingest, rules, broker] = await Promise.all([
      this.influx.connection.ping(),
      this.probe.json(`http://127.0.0.1:${this.config.ingest.port}/health`),
      this.probe.json(`http://127.0.0.1:${this.config.rules.port}/health`),
      this.brokerHealth(),
    ]);
    const checks: Record<string, Check> = {
      sqlite: this.database.ping() ? { status: 'ok' } : { status: 'down' },
      influxdb: influx ? { status: 'ok' } : { status: 'down', detail: 'no answer to /ping' },
      mqtt: this.subscriber.connected ? { status: 'ok' } : { status: 'down', detail: 'the api is not connected to the broker' },
    };
    const services: Record<string, Check> = {
      api: { status: 'ok' },
      broker: broker ?? (this.subscriber.connected ? { status: 'ok', detail: 'external broker (judged by the api connection)' } : { status: 'down' }),
      ingest: serviceCheck(ingest),
      rules: serviceCheck(rules),
    };
    const ok = Object.values(checks).every((c) => c.status === 'ok') && Object.values(services).every((c) => c.status !== 'down');
    return healthReport('api', ok, { checks, services });
  }

  async metricsText(): Promise<string> {
    const parts = [this.metrics.render()];
    const others = await Promise.all([
      this.probe.text(`http://127.0.0.1:${this.config.ingest.port}/metrics`),
      this.probe.text(`http://127.0.0.1:${this.config.rules.port}/metrics`),
      this.brokerUrl() ? this.probe.text(`${this.brokerUrl()}/metrics`) : undefined,
    ]);
    for (const text of others) if (text) parts.push(text);
    return parts.join('');
  }

  private brokerUrl(): string | undefined {
    const url = new URL(this.config.mqtt.url);
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && Number(url.port || 1883) === this.config.mqtt.port;
    return local && this.config.mqtt.wsPort > 0 ? `http://127.0.0.1:${this.config.mqtt.wsPort}` : undefined;
  }

  private async brokerHealth(): Promise<Check | undefined> {
    const url = this.brokerUrl();
    if (!url) return undefined;
    const answer = await this.probe.json(`${url}/health`);
    return answer.ok ? { status: 'ok' } : this.subscriber.connected ? { status: 'ok', detail: 'no /health on MQTT_WS_PORT; the api is connected' } : { status: 'down', detail: answer.error };
  }
}

/** A service judged by its own /health (ServiceProbe.json): down when unreachable or not ok, saying which. */
function serviceCheck(answer: { ok: boolean; body?: Record<string, unknown>; error?: string }): Check {
  return answer.ok ? { status: 'ok' } : { status: 'down', detail: answer.error ?? `status ${String(answer.body?.status)}` };
}
