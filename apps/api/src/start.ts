import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type AppConfig, AppLogger, ConfigModule } from '#config';
import { RegistryDatabase } from '#registry';
import { ApiModule } from './api.module.js';
import type { Clock } from './tokens.js';

/**
 * Builds and starts the api app on API_BIND:API_PORT: opens (and migrates) the registry at
 * DATA_DIR/greenwatch.sqlite, imports COMMUNITY_CONFIG_DIR, subscribes to gc/+/alerts with a
 * persistent session, and serves the HTTP API. Tests call this in-process.
 */
export async function startApi(config: AppConfig, options: { clock?: Clock } = {}) {
  const database = RegistryDatabase.inDataDir(config.dataDir);
  try {
    const app = await NestFactory.create<NestExpressApplication>(
      { module: class ApiApp {}, imports: [ConfigModule.forRoot(config), ApiModule.register({ database, clock: options.clock })] },
      { logger: new AppLogger(config.logLevel), bodyParser: false },
    );
    app.useBodyParser('json', { limit: '256kb' });
    app.enableShutdownHooks([]);
    await app.listen(config.api.port, config.api.bind);
    return app;
  } catch (error) {
    database.close();
    throw error;
  }
}
