import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, AppLogger, runService } from '#config';
import { BrokerModule } from './broker.module.js';

/** The broker app: aedes over TCP (MQTT_PORT) and WebSocket + /health (MQTT_WS_PORT). */
await runService('broker', async (config) => {
  const app = await NestFactory.create(
    { module: class BrokerApp {}, imports: [ConfigModule.forRoot(config), BrokerModule] },
    { logger: new AppLogger(config.logLevel) },
  );
  await app.listen(config.mqtt.wsPort, config.mqtt.bind);
  return app;
});
