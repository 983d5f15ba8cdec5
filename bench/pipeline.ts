import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '#config';
import { Child, httpStatus, pollUntil } from './children.js';
import { benchCommunityYaml } from './load/bench-devices.js';

/**
 * The real pipeline as `npm start` runs it, one process per app: broker (aedes with its LevelDB
 * sessions, P5's durability on), ingest (journals every line before acknowledging) and rules,
 * against an InfluxDB that is already running. Each measured step publishes into a community of
 * its own (s1, s2, ...), registered in a generated community YAML, so its points and alerts are
 * counted apart.
 *
 * RULES_LATENESS_S is set small (`latenessS`, default 0.05 s): the rules judge a message once its
 * community's event-time clock is that far past it, so the default 120 s would put two minutes
 * into every publish -> alert latency. 50 ms still absorbs the reordering between the publisher's
 * connections; a message later than that is stored but not judged, and the alert count shows it.
 */
export const SERVICE_USER = 'bench-service';
export const SERVICE_PASSWORD = 'bench-service-password-0123456789';

export interface PipelineOptions {
  dir: string;
  influxUrl: string;
  database: string;
  communities: string[];
  devices: number;
  latenessS: number;
  /** Where the broker, ingest and rules processes write CPU profiles (--cpu-prof), when set. */
  profileDir?: string;
}

export class BenchPipeline {
  private constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly apps: Child[],
  ) {}

  get mqttUrl(): string {
    return this.env.MQTT_URL!;
  }

  pids(): Map<string, number> {
    return new Map(this.apps.map((a) => [a.name, a.pid]));
  }

  static async start(options: PipelineOptions): Promise<BenchPipeline> {
    const communityDir = join(options.dir, 'communities');
    await mkdir(communityDir, { recursive: true });
    for (const id of options.communities) await writeFile(join(communityDir, `${id}.yaml`), benchCommunityYaml(id, options.devices));
    const mqttPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MQTT_PORT: String(mqttPort),
      MQTT_WS_PORT: String(await freePort()),
      MQTT_BIND: '127.0.0.1',
      MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      MQTT_USERNAME: SERVICE_USER,
      MQTT_PASSWORD: SERVICE_PASSWORD,
      MQTT_ALLOW_ANONYMOUS: 'true', // the publisher carries every device's topics on few connections
      INFLUX_URL: options.influxUrl,
      INFLUX_DB: options.database,
      INGEST_PORT: String(await freePort()),
      RULES_PORT: String(await freePort()),
      API_PORT: String(await freePort()),
      DATA_DIR: join(options.dir, 'data'),
      COMMUNITY_CONFIG_DIR: communityDir,
      LOG_LEVEL: 'warn',
      RULES_LATENESS_S: String(options.latenessS),
    };
    const pipeline = new BenchPipeline(env, []);
    const start = (app: string, profile = false) => {
      const nodeArgs = ['--enable-source-maps'];
      if (profile && options.profileDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', options.profileDir, '--cpu-prof-name', `${app}.cpuprofile`);
      const child = Child.node(app, [join('dist', 'apps', app, 'src', 'main.js')], { env, nodeArgs, logPath: join(options.dir, `${app}.log`) });
      pipeline.apps.push(child);
      return child;
    };
    try {
      const broker = start('broker', true);
      await ready(broker, async () => (await httpStatus(`http://127.0.0.1:${env.MQTT_WS_PORT}/health`)) === 200);
      const ingest = start('ingest', true);
      await ready(ingest, async () => (((await (await fetch(`http://127.0.0.1:${env.INGEST_PORT}/health`)).json()) as { status?: string }).status === 'ok'));
      const rules = start('rules', true);
      await ready(rules, async () => (((await (await fetch(`http://127.0.0.1:${env.RULES_PORT}/health`)).json()) as { status?: string }).status === 'ok'));
    } catch (error) {
      await pipeline.stop();
      throw error;
    }
    return pipeline;
  }

  /** Scrapes an app's Prometheus metrics (counted by the app itself), summed over labels. */
  async metrics(app: 'broker' | 'ingest' | 'rules'): Promise<Record<string, number>> {
    const port = { broker: this.env.MQTT_WS_PORT, ingest: this.env.INGEST_PORT, rules: this.env.RULES_PORT }[app];
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const m = /^(greenwatch_[a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
      if (!m) continue;
      const quantile = /quantile="([^"]+)"/.exec(m[2] ?? '')?.[1];
      const name = quantile ? `${m[1]}{quantile="${quantile}"}` : m[1];
      out[name] = (out[name] ?? 0) + Number(m[3]);
    }
    return out;
  }

  /** Each app's event-loop delay since the previous call, p99 and max in ms (its /metrics). */
  async eventLoopDelay(): Promise<Record<string, { p99: number; max: number }>> {
    const out: Record<string, { p99: number; max: number }> = {};
    for (const app of ['broker', 'ingest', 'rules'] as const) {
      const m = await this.metrics(app).catch((): Record<string, number> => ({}));
      const ms = (q: string) => Math.round(1000 * (m[`greenwatch_${app}_event_loop_delay_seconds{quantile="${q}"}`] ?? NaN));
      out[app] = { p99: ms('0.99'), max: ms('1') };
    }
    return out;
  }

  /** Stops the apps in reverse order (SIGTERM; the profiles are written on exit). */
  async stop(): Promise<void> {
    for (const app of [...this.apps].reverse()) await app.stop();
  }
}

async function ready(child: Child, probe: () => Promise<boolean>): Promise<void> {
  const ok = await pollUntil(async () => child.running && (await probe()), { timeoutMs: 60_000, intervalMs: 100 });
  if (!ok) throw new Error(`${child.name} did not get ready (${child.running ? 'running' : `exited ${child.process.exitCode}`}):\n${await child.logTail()}`);
}
