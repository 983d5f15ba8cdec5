import { NestFactory } from '@nestjs/core';
import { type AppConfig, AppLogger, ConfigModule, loadDeviceRegistry } from '#config';
import { validateRuleOverrides } from '#rules';
import { AckGate } from '#messaging';
import { newResumeBarrier } from './resume-barrier.js';
import { RulesMqttServer } from './rules-mqtt.server.js';
import { RulesModule } from './rules.module.js';
import { type RulesOptions, RulesService } from './rules.service.js';

/**
 * Builds and starts the rules app: a Nest microservice on the MQTT transport with a persistent
 * session (fixed client id, clean session off, QoS 1), so what devices publish while it is down
 * waits in the broker and is judged when it is back, in event-time order with what arrives live
 * meanwhile (the resume barrier and the engine's catch-up: resume-barrier.ts, RulesEngine.beginCatchUp). A community whose `rules:` overrides name
 * an unknown parameter or a bad value stops the start, naming the file's field.
 * It serves /health and /metrics on RULES_PORT (loopback), as the ingest does on INGEST_PORT.
 * Its options are `config.rules` (the RULES_* variables); `overrides` replace some of them (tests).
 */
export async function startRules(config: AppConfig, overrides: Partial<RulesOptions> = {}) {
  const rules: RulesOptions = { ...config.rules, ...overrides };
  const registry = await loadDeviceRegistry(config.communityConfigDir);
  const problems = registry.allCommunities().flatMap((c) => validateRuleOverrides(c).map((p) => `community ${c.id}: ${p.field}: expected ${p.expected}`));
  if (problems.length) throw new Error(`bad rule overrides:\n  ${problems.join('\n  ')}`);
  const broker = { url: config.mqtt.url, username: config.mqtt.username || undefined, password: config.mqtt.password || undefined };
  const barrier = newResumeBarrier(rules.clientId);
  const server = new RulesMqttServer(
    { ...broker, clientId: rules.clientId, clean: false, subscribeOptions: { qos: 1 }, reconnectPeriod: 1000, connectTimeout: 10_000 },
    barrier,
    broker,
  );
  // PUBACK only once the engine has taken the message, and none once the service is stopping: Nest
  // drops what arrives while it disposes the transport, so that must stay unacknowledged for the
  // broker to deliver again at the next start, not be acknowledged and lost. Withheld, not held:
  // the client reads on, so the PUBACK of an alert in flight still arrives (AckGate).
  let service: RulesService | undefined;
  server.ackGate = new AckGate(() => false, () => service?.stopping ?? false);
  const app = await NestFactory.create(
    { module: class RulesApp {}, imports: [ConfigModule.forRoot(config), RulesModule.register({ server, registry, rules, barrier })] },
    { logger: new AppLogger(config.logLevel) },
  );
  const started = app.get(RulesService);
  service = started;
  server.onSession = (present) => started.sessionStarted(present);
  server.onBarrierError = (error) => started.barrierFailed(error);
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  app.enableShutdownHooks([]);
  await app.init();
  await app.startAllMicroservices();
  try {
    await app.listen(rules.port, '127.0.0.1');
  } catch (error) {
    await app.close(); // RULES_PORT taken: do not leave the MQTT session running behind the error
    throw error;
  }
  return app;
}
