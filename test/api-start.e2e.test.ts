import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { freePort, portAnswers, tempDir, waitFor } from './support/index.js';

/**
 * `npm start` now runs rules and api too: the api answers on API_PORT once healthy, a key from
 * the CLI reads the example community, and Ctrl-C stops the api with the rest.
 */
const run = promisify(execFile);

describe('npm start with the api', () => {
  let dir: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let supervisor: ChildProcess;
  let output = '';

  before(async () => {
    dir = await tempDir('greenwatch-api-start-');
    const mqttPort = await freePort();
    env = {
      ...process.env,
      DATA_DIR: join(dir.path, 'var'),
      COMMUNITY_CONFIG_DIR: 'config/communities',
      MQTT_PORT: String(mqttPort),
      MQTT_WS_PORT: String(await freePort()),
      MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      MQTT_BIND: '127.0.0.1',
      INGEST_PORT: String(await freePort()),
      INFLUX_LOCAL_PORT: String(await freePort()),
      API_PORT: String(await freePort()),
      API_BIND: '127.0.0.1',
      INFLUX_URL: '',
      MQTT_USERNAME: '',
      MQTT_PASSWORD: '',
      ADMIN_API_KEY: '',
    };
    supervisor = spawn(process.execPath, [join('dist', 'scripts', 'start.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    supervisor.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    supervisor.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await waitFor(async () => output, (o) => /ready\./.test(o) || supervisor.exitCode !== null, { timeoutMs: 60_000 });
    assert.match(output, /ready\..*\/api\/docs/, `npm start did not get ready:\n${output}`);
  });

  after(async () => {
    if (supervisor && supervisor.exitCode === null) supervisor.kill('SIGKILL');
    await dir?.remove();
  });

  it('serves the API with a key from the CLI, and reports every service healthy', async () => {
    const { stdout } = await run(process.execPath, [join('dist', 'scripts', 'cli.js'), 'key', 'create', '--role', 'manager', '--community', 'demo'], { env });
    const key = stdout.split('\n')[0];
    const base = `http://127.0.0.1:${env.API_PORT}`;
    const communities = (await (await fetch(`${base}/api/communities`, { headers: { authorization: `Bearer ${key}` } })).json()) as { communities: { id: string }[] };
    assert.deepEqual(communities.communities.map((c: { id: string }) => c.id), ['demo']);
    const health = (await (await fetch(`${base}/health`)).json()) as { status: string; services: Record<string, { status: string }> };
    assert.equal(health.status, 'ok', JSON.stringify(health));
    assert.deepEqual([health.services.broker.status, health.services.ingest.status], ['ok', 'ok']);
    assert.equal((await fetch(`${base}/api/communities`)).status, 401);
  });

  it('stops the api with everything else on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => supervisor.once('exit', (code) => resolve(code)));
    supervisor.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.equal(await portAnswers(Number(env.API_PORT)), false);
  });
});
