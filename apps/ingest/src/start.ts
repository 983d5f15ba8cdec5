import { NestFactory } from '@nestjs/core';
import { type AppConfig, ConfigModule, loadDeviceRegistry, AppLogger } from '#config';
import { IngestModule } from './ingest.module.js';
import { RawMqttServer } from '#messaging';

/**
 * Builds and starts the ingest app. It holds a persistent MQTT session (fixed client id, clean
 * session off, QoS 1 subscriptions), so what devices publish while it is down waits in the broker.
 */
export async function startIngest(config: AppConfig) {
  const registry = await loadDeviceRegistry(config.communityConfigDir);
  const server = new RawMqttServer({
    url: config.mqtt.url,
    clientId: config.ingest.clientId,
    clean: false,
    username: config.mqtt.username || undefined,
    password: config.mqtt.password || undefined,
    subscribeOptions: { qos: 1 },
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    // The ingest's own speed is bounded by InfluxDB, not by the broker's flow control.
    properties: undefined,
  });
  const app = await NestFactory.create(
    { module: class IngestApp {}, imports: [ConfigModule.forRoot(config), IngestModule.register({ server, registry })] },
    { logger: new AppLogger(config.logLevel) },
  );
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  app.enableShutdownHooks([]);
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.ingest.port, '127.0.0.1');
  return app;
}
