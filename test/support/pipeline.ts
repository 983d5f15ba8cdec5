import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { type AppConfig, loadAppConfig } from '#config';
import { MqttBroker } from '../../apps/broker/src/mqtt-broker.js';
import { startIngest } from '../../apps/ingest/src/start.js';
import { FileDeviceSecretStore } from '#storage';
import { freePort } from './ports.js';
import { tempDir } from './temp.js';

export const SERVICE_USER = 'greenwatch-test-service';
export const SERVICE_PASSWORD = 'test-service-password-0123456789';

export interface PipelineOptions {
  influxUrl: string;
  database?: string;
  /** Use this broker instead of starting the embedded one. */
  externalBrokerUrl?: string;
  allowAnonymous?: boolean;
  communityConfigDir?: string;
  env?: Record<string, string>;
}

/**
 * The real broker (aedes, in this process) and the real ingest app, on free loopback ports with
 * a temp DATA_DIR, against the InfluxDB the test started. Ingest can be stopped and started again.
 */
export class TestPipeline {
  ingest: INestApplication | undefined;

  private constructor(
    readonly config: AppConfig,
    readonly broker: MqttBroker | undefined,
    readonly secrets: FileDeviceSecretStore,
    private readonly removeDir: () => Promise<void>,
  ) {}

  static async start(options: PipelineOptions): Promise<TestPipeline> {
    const dir = await tempDir('greenwatch-pipeline-');
    const mqttPort = options.externalBrokerUrl ? 0 : await freePort();
    const config = loadAppConfig({
      MQTT_PORT: String(mqttPort),
      MQTT_WS_PORT: '0',
      MQTT_BIND: '127.0.0.1',
      MQTT_URL: options.externalBrokerUrl ?? `mqtt://127.0.0.1:${mqttPort}`,
      MQTT_ALLOW_ANONYMOUS: String(options.allowAnonymous ?? false),
      MQTT_USERNAME: SERVICE_USER,
      MQTT_PASSWORD: SERVICE_PASSWORD,
      INFLUX_URL: options.influxUrl,
      INFLUX_DB: options.database ?? 'greenwatch',
      INGEST_PORT: String(await freePort()),
      DATA_DIR: dir.path,
      COMMUNITY_CONFIG_DIR: options.communityConfigDir ?? join(dir.path, 'communities'),
      LOG_LEVEL: 'error',
      ...options.env,
    });
    const secrets = new FileDeviceSecretStore(join(dir.path, 'device-secrets.json'));
    let broker: MqttBroker | undefined;
    if (!options.externalBrokerUrl) {
      broker = await MqttBroker.create({
        port: config.mqtt.port,
        bind: config.mqtt.bind,
        allowAnonymous: config.mqtt.allowAnonymous,
        service: { username: config.mqtt.username, password: config.mqtt.password },
        credentials: secrets,
      });
      await broker.listen();
    }
    const pipeline = new TestPipeline(config, broker, secrets, dir.remove);
    await pipeline.startIngest();
    return pipeline;
  }

  get mqttUrl(): string {
    return this.config.mqtt.url;
  }

  get ingestUrl(): string {
    return `http://127.0.0.1:${this.config.ingest.port}`;
  }

  async startIngest(): Promise<void> {
    this.ingest = await startIngest(this.config);
  }

  async stopIngest(): Promise<void> {
    await this.ingest?.close();
    this.ingest = undefined;
  }

  async stop(): Promise<void> {
    await this.stopIngest();
    await this.broker?.close();
    await this.removeDir();
  }
}
