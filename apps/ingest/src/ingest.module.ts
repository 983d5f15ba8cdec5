import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig, CommunityConfigFollower } from '#config';
import type { DeviceRegistry } from '#contracts';
import { MetricsRegistry, withProcessMetrics } from '#observability';
import { assertRuleOverrides } from '#rules';
import { DurableLineWriter, InfluxStore, StorageModule } from '#storage';
import { AckGate, type RawMqttServer } from '#messaging';
import { IngestHttpController, MQTT_SERVER } from './ingest-http.controller.js';
import { DeviceMessagesController } from './ingest.controller.js';
import { ACK_GATE, DEVICE_REGISTRY, IngestService, METRICS, REJECTED_PUBLISHER, type RejectedPublisher } from './ingest.service.js';

/** Closes the journal on shutdown, after the MQTT client has stopped (Nest disposes it first). */
@Injectable()
class JournalLifecycle implements OnApplicationShutdown {
  constructor(private readonly durable: DurableLineWriter) {}

  async onApplicationShutdown(): Promise<void> {
    await this.durable.close();
  }
}

@Module({})
export class IngestModule {
  static register(options: { server: RawMqttServer; registry: DeviceRegistry }): DynamicModule {
    const publishRejected: RejectedPublisher = (topic, payload) => void options.server.client.publish(topic, payload, { qos: 0 });
    let service: IngestService | undefined;
    const gate = new AckGate(() => service?.mustHold ?? false);
    options.server.ackGate = gate;
    return {
      module: IngestModule,
      imports: [StorageModule],
      controllers: [DeviceMessagesController, IngestHttpController],
      providers: [
        {
          provide: IngestService,
          inject: [DEVICE_REGISTRY, DurableLineWriter, ACK_GATE, REJECTED_PUBLISHER, METRICS, InfluxStore],
          useFactory: (...args: ConstructorParameters<typeof IngestService>) => (service = new IngestService(...args)),
        },
        {
          provide: DurableLineWriter,
          inject: [APP_CONFIG, InfluxStore],
          useFactory: (config: AppConfig, store: InfluxStore) =>
            new DurableLineWriter(store.writer, { journalDir: join(config.dataDir, 'ingest-journal'), memoryLines: config.ingest.memoryLines, diskBudgetBytes: config.ingest.diskBudgetBytes }),
        },
        JournalLifecycle,
        { provide: ACK_GATE, useValue: gate },
        { provide: DEVICE_REGISTRY, useValue: options.registry },
        { provide: MQTT_SERVER, useValue: options.server },
        { provide: REJECTED_PUBLISHER, useValue: publishRejected },
        { provide: METRICS, useValue: withProcessMetrics(new MetricsRegistry({ service: 'ingest' }), 'ingest') },
        {
          // devices added to a community file (by hand or by the api) are tagged and type-checked without a restart
          provide: CommunityConfigFollower,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            new CommunityConfigFollower({
              dir: config.communityConfigDir,
              registry: options.registry,
              intervalMs: config.communityConfigPollMs,
              apply: (c) => {
                assertRuleOverrides(c); // refused everywhere alike, so ingest, rules and api never disagree on a community
                options.registry.put(c);
              },
              log: new Logger('Communities'),
            }),
        },
      ],
    };
  }
}
