import { NestFactory } from '@nestjs/core';
import { type AppConfig, ConfigModule, loadDeviceRegistry, logLevelsFor } from '#config';
import { validateRuleOverrides } from '#rules';
import { RawMqttServer } from '../../ingest/src/raw-mqtt.server.js';
import { RulesModule } from './rules.module.js';
import { type RulesOptions, loadRulesOptions } from './rules-options.js';

/**
 * Builds and starts the rules app: a Nest microservice on the MQTT transport with a persistent
 * session (fixed client id, clean session off, QoS 1), so what devices publish while it is down
 * waits in the broker and is judged when it is back. A community whose `rules:` overrides name
 * an unknown parameter or a bad value stops the start, naming the file's field.
 */
export async function startRules(config: AppConfig, rules: RulesOptions = loadRulesOptions()) {
  const registry = await loadDeviceRegistry(config.communityConfigDir);
  const problems = registry.allCommunities().flatMap((c) => validateRuleOverrides(c).map((p) => `community ${c.id}: ${p.field}: expected ${p.expected}`));
  if (problems.length) throw new Error(`bad rule overrides:\n  ${problems.join('\n  ')}`);
  const server = new RawMqttServer({
    url: config.mqtt.url,
    clientId: rules.clientId,
    clean: false,
    username: config.mqtt.username || undefined,
    password: config.mqtt.password || undefined,
    subscribeOptions: { qos: 1 },
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  const app = await NestFactory.create(
    { module: class RulesApp {}, imports: [ConfigModule.forRoot(config), RulesModule.register({ server, registry, rules })] },
    { logger: logLevelsFor(config.logLevel) },
  );
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  app.enableShutdownHooks([]);
  await app.init();
  await app.startAllMicroservices();
  return app;
}
