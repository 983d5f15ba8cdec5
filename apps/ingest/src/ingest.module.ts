import { type DynamicModule, Module } from '@nestjs/common';
import type { DeviceRegistry } from '#contracts';
import { MetricsRegistry } from '#observability';
import { StorageModule } from '#storage';
import { IngestHttpController, MQTT_SERVER } from './ingest-http.controller.js';
import { DeviceMessagesController } from './ingest.controller.js';
import { DEVICE_REGISTRY, IngestService, METRICS, REJECTED_PUBLISHER, type RejectedPublisher } from './ingest.service.js';
import type { RawMqttServer } from './raw-mqtt.server.js';

@Module({})
export class IngestModule {
  static register(options: { server: RawMqttServer; registry: DeviceRegistry }): DynamicModule {
    const publishRejected: RejectedPublisher = (topic, payload) => void options.server.client.publish(topic, payload, { qos: 0 });
    return {
      module: IngestModule,
      imports: [StorageModule],
      controllers: [DeviceMessagesController, IngestHttpController],
      providers: [
        IngestService,
        { provide: DEVICE_REGISTRY, useValue: options.registry },
        { provide: MQTT_SERVER, useValue: options.server },
        { provide: REJECTED_PUBLISHER, useValue: publishRejected },
        { provide: METRICS, useValue: new MetricsRegistry({ service: 'ingest' }) },
      ],
    };
  }
}
