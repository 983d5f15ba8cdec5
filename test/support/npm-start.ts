import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { tempDir } from './temp.js';
import { waitFor } from './wait.js';

/** What `npm start` runs once the build is done. */
export const START_SCRIPT = join('dist', 'scripts', 'start.js');

export interface RunningSupervisor {
  /** The environment it runs with: give it to the CLI; the ports it listens on are here. */
  readonly env: NodeJS.ProcessEnv;
  /** Its temp directory (DATA_DIR is `var` inside it). */
  readonly dir: string;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Ctrl-C (SIGINT); resolves with its exit code. */
  interrupt(): Promise<number | null>;
  /** Kills it if it still runs and removes its temp directory. */
  stop(): Promise<void>;
}

/**
 * The environment for an isolated `npm start`: DATA_DIR as given, the example communities, every
 * listener on a free loopback port, a local influxd (INFLUX_URL empty) and no credentials from the
 * caller's shell. `extraEnv` adds or overrides variables (the benchmark sets INFLUX_URL).
 */
export async function isolatedStartEnv(dataDir: string, extraEnv: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const mqttPort = await freePort();
  return {
    ...process.env,
    DATA_DIR: dataDir,
    COMMUNITY_CONFIG_DIR: 'config/communities',
    MQTT_PORT: String(mqttPort),
    MQTT_WS_PORT: String(await freePort()),
    MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
    MQTT_BIND: '127.0.0.1',
    INGEST_PORT: String(await freePort()),
    RULES_PORT: String(await freePort()),
    INFLUX_LOCAL_PORT: String(await freePort()),
    API_PORT: String(await freePort()),
    API_BIND: '127.0.0.1',
    INFLUX_URL: '',
    MQTT_USERNAME: '',
    MQTT_PASSWORD: '',
    ADMIN_API_KEY: '',
    ...extraEnv,
  };
}

/**
 * `npm start` (dist/scripts/start.js) as a user runs it, isolated (isolatedStartEnv): a temp DATA_DIR, the example
 * communities, every listener on a free loopback port, a local influxd (INFLUX_URL empty) and
 * no credentials from the caller's shell. Resolves once it prints "ready."; rejects with what
 * it printed if it exits or is not ready within 60 s. `extraEnv` adds or overrides variables.
 */
export async function startSupervisor(extraEnv: Record<string, string> = {}): Promise<RunningSupervisor> {
  const dir = await tempDir('greenwatch-start-');
  const env = await isolatedStartEnv(join(dir.path, 'var'), extraEnv);
  const child = spawn(process.execPath, [START_SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const running: RunningSupervisor = {
    env,
    dir: dir.path,
    output: () => output,
    interrupt() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      return exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await dir.remove();
    },
  };
  await waitFor(async () => output, (o) => /ready\./.test(o) || child.exitCode !== null, { timeoutMs: 60_000 });
  if (!/ready\./.test(output)) {
    await running.stop();
    throw new Error(`npm start did not get ready:\n${output}`);
  }
  return running;
}
