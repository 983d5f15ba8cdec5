import { Controller, Inject } from '@nestjs/common';
import { type MetricsRegistry, ServiceHttpController, healthReport } from '#observability';
import type { RulesMqttServer } from './rules-mqtt.server.js';
import { RULES_METRICS, RulesService } from './rules.service.js';

export const RULES_MQTT_SERVER = Symbol('RULES_MQTT_SERVER');

/**
 * HTTP: /health and /metrics of the rules process (RULES_PORT, loopback). Healthy while its MQTT
 * session is connected and the last snapshot save (if any yet) worked; catching up after a restart
 * is normal work, reported but not degraded.
 */
@Controller()
export class RulesHttpController extends ServiceHttpController {
  constructor(
    @Inject(RULES_METRICS) protected readonly metrics: MetricsRegistry,
    @Inject(RULES_MQTT_SERVER) private readonly server: RulesMqttServer,
    private readonly rules: RulesService,
  ) {
    super();
  }

  protected report() {
    const mqtt = this.server.connectionState;
    const status = this.rules.status();
    return healthReport('rules', mqtt === 'connected' && status.snapshot.lastSaveOk !== false, { mqtt, ...status });
  }
}
