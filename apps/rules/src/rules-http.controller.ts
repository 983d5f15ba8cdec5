import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { type MetricsRegistry, healthHttpStatus, healthReport } from '#observability';
import type { RulesMqttServer } from './rules-mqtt.server.js';
import { RULES_METRICS, RulesService } from './rules.service.js';

export const RULES_MQTT_SERVER = Symbol('RULES_MQTT_SERVER');

/**
 * HTTP: /health and /metrics of the rules process (RULES_PORT, loopback). Healthy while its MQTT
 * session is connected and the last snapshot save (if any yet) worked; catching up after a restart
 * is normal work, reported but not degraded.
 */
@Controller()
export class RulesHttpController {
  constructor(
    @Inject(RULES_METRICS) private readonly metrics: MetricsRegistry,
    @Inject(RULES_MQTT_SERVER) private readonly server: RulesMqttServer,
    private readonly rules: RulesService,
  ) {}

  /** 200 when ok, 503 when degraded (healthHttpStatus); the same body either way. */
  @Get('health')
  health(@Res({ passthrough: true }) response: { status(code: number): unknown }) {
    const mqtt = this.server.connectionState;
    const status = this.rules.status();
    const report = healthReport('rules', mqtt === 'connected' && status.snapshot.lastSaveOk !== false, { mqtt, ...status });
    response.status(healthHttpStatus(report));
    return report;
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  render(): string {
    return this.metrics.render();
  }
}
