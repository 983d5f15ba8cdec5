import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, freePort, loadAppConfig, portAnswers } from '#config';
import { InfluxdNotInstalledError, LocalInfluxd, influxdAvailable } from '#storage';
import { Supervisor } from './supervisor.js';

/**
 * `npm start`: the whole of greenwatch on one machine.
 *  1. validates the environment (a bad variable stops here, named);
 *  2. when INFLUX_URL is unset, runs a local influxd (loopback, data in DATA_DIR/influxdb);
 *  3. when MQTT_URL points at this machine's MQTT_PORT, runs the embedded broker, with a service
 *     account for the other apps (generated once into DATA_DIR when MQTT_PASSWORD is unset);
 *  4. runs the apps (ingest, rules, api), each once its dependencies answer; Ctrl-C stops them in
 *     reverse order.
 */
const APPS = ['ingest', 'rules', 'api'] as const;

async function main(): Promise<void> {
  let config;
  try {
    config = loadAppConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`greenwatch: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const mqttUrl = new URL(config.mqtt.url);
  const embeddedBroker = ['127.0.0.1', 'localhost', '[::1]'].includes(mqttUrl.hostname) && Number(mqttUrl.port || 1883) === config.mqtt.port;
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  if (embeddedBroker && !config.mqtt.password) {
    env.MQTT_USERNAME = config.mqtt.username || 'greenwatch';
    env.MQTT_PASSWORD = await servicePassword(dataDir);
  }
  const supervisor = new Supervisor(['influxd', 'broker', ...APPS]);
  const say = (line: string) => supervisor.log('greenwatch', line);
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping`);
    await supervisor.stop();
    await influxd?.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  let influxd: LocalInfluxd | undefined;
  if (!config.influx.url) {
    if (!influxdAvailable()) {
      process.stderr.write(`greenwatch: ${new InfluxdNotInstalledError('influxd').message}\n`);
      process.exit(1);
    }
    const port = config.influx.localPort;
    if (await portAnswers(port)) {
      process.stderr.write(`greenwatch: something already listens on 127.0.0.1:${port}. If it is InfluxDB, use it: INFLUX_URL=http://127.0.0.1:${port} npm start (or pick another INFLUX_LOCAL_PORT)\n`);
      process.exit(1);
    }
    say(`starting a local influxd (data in ${join(dataDir, 'influxdb')})`);
    // The RPC (backup) port is bound on loopback too; any free one will do.
    influxd = await LocalInfluxd.start({ dir: join(dataDir, 'influxdb'), httpPort: port, rpcPort: await freePort(), stdio: 'ignore' });
    env.INFLUX_URL = influxd.url;
    say(`InfluxDB 1.x at ${influxd.url}`);
  }

  const node = (app: string) => ({ command: process.execPath, args: ['--enable-source-maps', join('dist', 'apps', app, 'src', 'main.js')], env, node: true });
  try {
    if (embeddedBroker) {
      await supervisor.start({ name: 'broker', ...node('broker'), ready: () => portAnswers(config.mqtt.port) });
    } else {
      say(`using the external MQTT broker at ${config.mqtt.url}`);
    }
    await supervisor.start({ name: 'ingest', ...node('ingest'), ready: () => httpOk(`http://127.0.0.1:${config.ingest.port}/health`) });
    await supervisor.start({ name: 'rules', ...node('rules'), ready: () => httpOk(`http://127.0.0.1:${config.rules.port}/health`) });
    await supervisor.start({ name: 'api', ...node('api'), ready: () => httpOk(`http://127.0.0.1:${config.api.port}/health`) });
  } catch (error) {
    say(`start-up failed: ${(error as Error).message}`);
    await stop('start-up failed');
    return;
  }
  say(`ready. MQTT ${config.mqtt.url}${embeddedBroker ? ` (WebSocket :${config.mqtt.wsPort})` : ''}; InfluxDB ${env.INFLUX_URL} db ${config.influx.database}; ingest health http://127.0.0.1:${config.ingest.port}/health; rules health http://127.0.0.1:${config.rules.port}/health; API http://127.0.0.1:${config.api.port}/api/docs. Ctrl-C stops.`);
}

async function servicePassword(dataDir: string): Promise<string> {
  const path = join(dataDir, 'mqtt-service-password');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const password = randomBytes(24).toString('base64url');
    await writeFile(path, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    const body = (await response.json()) as { status?: string };
    return response.ok && body.status === 'ok';
  } catch {
    return false;
  }
}

await main();
