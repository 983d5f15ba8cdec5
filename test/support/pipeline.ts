import type { INestApplication } from '@nestjs/common';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { type AppConfig, loadAppConfig } from '#config';
import { brokerOptionsFrom } from '../../apps/broker/src/broker-options.js';
import { MqttBroker } from '../../apps/broker/src/mqtt-broker.js';
import { startIngest } from '../../apps/ingest/src/start.js';
import { FileDeviceSecretStore } from '#storage';
import { freePort, portAnswers } from './ports.js';
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
  /** Keep the embedded broker's sessions and messages in flight on disk (survives restartBroker). */
  brokerPersistence?: boolean;
  /** Run the ingest as its own process (so that it can be killed with SIGKILL). */
  ingestProcess?: boolean;
  /**
   * Run the broker as its own process, the broker app as deployed (so that it can be killed with
   * SIGKILL). Its sessions are then always on disk, in DATA_DIR/broker; `broker` stays undefined.
   */
  brokerProcess?: boolean;
}

/**
 * The real broker (aedes, in this process or as its own) and the real ingest app, on free
 * loopback ports with a temp DATA_DIR, against the InfluxDB the test started. Either can be
 * stopped and started again; run as processes, either can be killed.
 */
export class TestPipeline {
  ingest: INestApplication | undefined;
  ingestChild: ChildProcess | undefined;
  broker: MqttBroker | undefined;
  brokerChild: ChildProcess | undefined;
  /** What the ingest process printed (when it runs as a process). */
  ingestOutput = '';
  /** What the broker process printed, over all its runs (when it runs as a process). */
  brokerOutput = '';

  private constructor(
    readonly config: AppConfig,
    readonly env: Record<string, string>,
    readonly secrets: FileDeviceSecretStore,
    private readonly options: PipelineOptions,
    private readonly removeDir: () => Promise<void>,
  ) {}

  static async start(options: PipelineOptions): Promise<TestPipeline> {
    const dir = await tempDir('greenwatch-pipeline-');
    const mqttPort = options.externalBrokerUrl ? 0 : await freePort();
    const env: Record<string, string> = {
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
      RULES_PORT: String(await freePort()), // for the tests that start the rules app on this pipeline
      DATA_DIR: dir.path,
      COMMUNITY_CONFIG_DIR: options.communityConfigDir ?? join(dir.path, 'communities'),
      LOG_LEVEL: 'error',
      ...options.env,
    };
    const config = loadAppConfig(env);
    const secrets = new FileDeviceSecretStore(join(dir.path, 'device-secrets.json'));
    const pipeline = new TestPipeline(config, env, secrets, options, dir.remove);
    if (!options.externalBrokerUrl) await pipeline.startBroker();
    await pipeline.startIngest();
    return pipeline;
  }

  /** Starts the broker; a broker process counts as started once its MQTT port answers. */
  async startBroker(): Promise<void> {
    if (!this.options.brokerProcess) {
      this.broker = await MqttBroker.create(await brokerOptionsFrom(this.config, this.secrets, { persistenceDir: this.options.brokerPersistence ? join(this.config.dataDir, 'broker') : undefined }));
      await this.broker.listen();
      return;
    }
    const child = this.spawnApp('broker', (text) => (this.brokerOutput += text));
    this.brokerChild = child;
    const deadline = Date.now() + 30_000;
    while (!(await portAnswers(this.config.mqtt.port, this.config.mqtt.bind))) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`broker exited with ${child.exitCode ?? child.signalCode}: ${this.brokerOutput}`);
      if (Date.now() > deadline) throw new Error(`the broker's MQTT port did not answer: ${this.brokerOutput}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the broker cleanly (SIGTERM for a process). */
  async stopBroker(): Promise<void> {
    await this.broker?.close();
    this.broker = undefined;
    const child = this.brokerChild;
    this.brokerChild = undefined;
    await endChild(child, 'SIGTERM');
  }

  /** kill -9 of the broker process. */
  async killBroker(): Promise<void> {
    if (!this.options.brokerProcess) throw new Error('killBroker needs the broker as a process (brokerProcess: true)');
    const child = this.brokerChild;
    this.brokerChild = undefined;
    await endChild(child, 'SIGKILL');
  }

  get mqttUrl(): string {
    return this.config.mqtt.url;
  }

  get ingestUrl(): string {
    return `http://127.0.0.1:${this.config.ingest.port}`;
  }

  async startIngest(): Promise<void> {
    if (!this.options.ingestProcess) {
      this.ingest = await startIngest(this.config);
      return;
    }
    const child = this.spawnApp('ingest', (text) => (this.ingestOutput += text));
    this.ingestChild = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`ingest exited with ${child.exitCode}: ${this.ingestOutput}`);
      try {
        const health = (await (await fetch(`${this.ingestUrl}/health`)).json()) as { status: string };
        if (health.status === 'ok') return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`ingest did not get healthy: ${this.ingestOutput}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the ingest cleanly (SIGTERM for a process). */
  async stopIngest(): Promise<void> {
    await this.ingest?.close();
    this.ingest = undefined;
    const child = this.ingestChild;
    this.ingestChild = undefined;
    await endChild(child, 'SIGTERM');
  }

  /** kill -9 of the ingest process. */
  async killIngest(): Promise<void> {
    const child = this.ingestChild;
    this.ingestChild = undefined;
    await endChild(child, 'SIGKILL');
  }

  async stop(): Promise<void> {
    await this.stopIngest();
    await this.stopBroker();
    await this.removeDir();
  }

  /** Runs dist/apps/<app>/src/main.js with the pipeline's environment; `print` gets its output. */
  private spawnApp(app: 'broker' | 'ingest', print: (text: string) => void): ChildProcess {
    const child = spawn(process.execPath, ['--enable-source-maps', join('dist', 'apps', app, 'src', 'main.js')], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => print(c.toString()));
    child.stderr!.on('data', (c: Buffer) => print(c.toString()));
    return child;
  }
}

/** Sends `signal` to a child that is still running and waits until it has exited. */
async function endChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
