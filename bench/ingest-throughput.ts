import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { InfluxConnection, LocalInfluxd } from '#storage';
import { freePort, tempDir } from '#testing';

/**
 * Ingest throughput on this machine: influxd, the broker app and the ingest app as separate
 * processes (as `npm start` runs them), a publisher in this process sending noise readings with
 * QoS 1 over a few connections with a bounded in-flight window. Readings/s stored is counted in
 * InfluxDB, from the first publish to the moment the last point is there.
 */
export interface IngestThroughputResult {
  messages: number;
  connections: number;
  publishSeconds: number;
  storedSeconds: number;
  publishedPerSecond: number;
  storedPerSecond: number;
  stored: number;
}

export async function benchIngestThroughput(options: { messages: number; connections: number; window: number }): Promise<IngestThroughputResult> {
  const dir = await tempDir('greenwatch-bench-');
  const influxd = await LocalInfluxd.start({ dir: join(dir.path, 'influxdb'), httpPort: await freePort(), rpcPort: await freePort() });
  const mqttPort = await freePort();
  const env = {
    ...process.env,
    MQTT_PORT: String(mqttPort),
    MQTT_WS_PORT: String(await freePort()),
    MQTT_BIND: '127.0.0.1',
    MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
    MQTT_USERNAME: 'bench',
    MQTT_PASSWORD: 'bench-password',
    MQTT_ALLOW_ANONYMOUS: 'true',
    INFLUX_URL: influxd.url,
    INFLUX_DB: 'bench',
    INGEST_PORT: String(await freePort()),
    DATA_DIR: dir.path,
    COMMUNITY_CONFIG_DIR: join(dir.path, 'communities'),
    LOG_LEVEL: 'warn',
  };
  const children: ChildProcess[] = [];
  const startApp = (app: string) => {
    const child = spawn(process.execPath, [join('dist', 'apps', app, 'src', 'main.js')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    children.push(child);
  };
  try {
    startApp('broker');
    await until(async () => (await fetch(`http://127.0.0.1:${env.MQTT_WS_PORT}/health`)).ok);
    startApp('ingest');
    await until(async () => ((await (await fetch(`http://127.0.0.1:${env.INGEST_PORT}/health`)).json()) as { status: string }).status === 'ok');

    const clients: MqttClient[] = await Promise.all(Array.from({ length: options.connections }, (_, i) => connectAsync(env.MQTT_URL, { clientId: `bench-pub-${i}` })));
    const perClient = Math.ceil(options.messages / options.connections);
    const t0 = Date.now();
    const base = Date.UTC(2026, 0, 1);
    await Promise.all(
      clients.map(async (client, c) => {
        const topic = `gc/bench/noise/n-${c}/telemetry`;
        let next = 0;
        const worker = async () => {
          while (next < perClient) {
            const k = next++;
            await client.publishAsync(topic, JSON.stringify({ ts: base + k * 1000, seq: k, laeq: 40 + (k % 40), lmax: 70 }), { qos: 1 });
          }
        };
        await Promise.all(Array.from({ length: options.window }, worker));
      }),
    );
    const publishSeconds = (Date.now() - t0) / 1000;
    const total = perClient * options.connections;
    const influx = new InfluxConnection({ url: influxd.url, api: 'v1', database: 'bench' });
    let stored = 0;
    await until(async () => {
      const [series] = await influx.query('SELECT count("laeq") FROM "noise"');
      stored = Number(series?.values[0][1] ?? 0);
      return stored >= total;
    }, 120_000, 20);
    const storedSeconds = (Date.now() - t0) / 1000;
    await Promise.all(clients.map((c) => c.endAsync()));
    return { messages: total, connections: options.connections, publishSeconds, storedSeconds, publishedPerSecond: total / publishSeconds, storedPerSecond: total / storedSeconds, stored };
  } finally {
    for (const child of children.reverse()) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await influxd.stop();
    await dir.remove();
  }
}

async function until(probe: () => Promise<boolean>, timeoutMs = 30_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
