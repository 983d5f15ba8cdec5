import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, CommunityConfigFollower } from '#config';
import type { DeviceRegistry } from '#contracts';
import { MetricsRegistry, withProcessMetrics } from '#observability';
import { RulesEngine } from '#rules';
import { StorageModule } from '#storage';
import type { ResumeBarrier } from './resume-barrier.js';
import { RulesMessagesController } from './rules.controller.js';
import { RULES_MQTT_SERVER, RulesHttpController } from './rules-http.controller.js';
import type { RulesMqttServer } from './rules-mqtt.server.js';
import { RuleStateStore } from './rule-state.store.js';
import { ALERT_PUBLISHER, type AlertPublisher, RESUME_BARRIER, RULES_ENGINE, RULES_METRICS, RULES_OPTIONS, RULE_STATE_STORE, type RulesOptions, RulesService } from './rules.service.js';

@Module({})
export class RulesModule {
  static register(options: { server: RulesMqttServer; registry: DeviceRegistry; rules: RulesOptions; barrier: ResumeBarrier }): DynamicModule {
    const publish: AlertPublisher = async (topic, payload) => {
      await options.server.client.publishAsync(topic, payload, { qos: 1 });
    };
    return {
      module: RulesModule,
      imports: [StorageModule],
      controllers: [RulesMessagesController, RulesHttpController],
      providers: [
        RulesService,
        { provide: RULES_ENGINE, useValue: new RulesEngine(options.registry, { latenessMs: options.rules.latenessMs }) },
        { provide: RULES_OPTIONS, useValue: options.rules },
        { provide: RESUME_BARRIER, useValue: options.barrier },
        { provide: RULES_MQTT_SERVER, useValue: options.server },
        { provide: RULE_STATE_STORE, useFactory: (config: AppConfig) => new RuleStateStore(config.dataDir), inject: [APP_CONFIG] },
        { provide: ALERT_PUBLISHER, useValue: publish },
        { provide: RULES_METRICS, useValue: withProcessMetrics(new MetricsRegistry({ service: 'rules' }), 'rules') },
        {
          provide: CommunityConfigFollower,
          inject: [APP_CONFIG, RulesService],
          useFactory: (config: AppConfig, rules: RulesService) =>
            new CommunityConfigFollower({ dir: config.communityConfigDir, registry: options.registry, intervalMs: config.communityConfigPollMs, apply: (c) => rules.configure(c), log: new Logger('Communities') }),
        },
      ],
    };
  }
}
