import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { InfluxConnection } from '#storage';
import { type RunningSupervisor, START_SCRIPT, portAnswers, startSupervisor, tempDir, waitFor } from './support/index.js';

/**
 * `npm start` end to end, as a user runs it: the supervisor starts a local influxd (INFLUX_URL
 * unset), the broker and the ingest as processes; a device secret from the CLI; one reading from
 * mosquitto_pub lands in InfluxDB; Ctrl-C (SIGINT) stops everything.
 */
const run = promisify(execFile);
const CLI = join('dist', 'scripts', 'cli.js');

describe('npm start', () => {
  let supervisor: RunningSupervisor;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    supervisor = await startSupervisor({ MQTT_ALLOW_ANONYMOUS: 'false' });
    env = supervisor.env;
  });

  after(async () => {
    await supervisor?.stop();
  });

  it('stores a reading that mosquitto_pub sends with a secret from the CLI', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'device', 'secret', 'demo', 'n-01'], { env });
    const secret = stdout.split('\n')[0].trim();
    assert.match(secret, /^[A-Za-z0-9_-]{40,}$/);
    const ts = Date.now();
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', env.MQTT_PORT!, '-q', '1', '-u', 'n-01', '-P', secret, '-t', 'gc/demo/noise/n-01/telemetry', '-m', JSON.stringify({ ts, laeq: 52.5, seq: 7 })]);
    const influx = new InfluxConnection({ url: `http://127.0.0.1:${env.INFLUX_LOCAL_PORT}`, api: 'v1', database: 'greenwatch' });
    const rows = await waitFor(
      async () => (await influx.query('SELECT laeq, seq, zone, compound FROM noise WHERE device = \'n-01\'').catch(() => []))[0]?.values ?? [],
      (values) => values.length > 0,
    );
    assert.deepEqual(rows, [[ts, 52.5, 7, '1', 'c1']]);
  });

  it('refuses a device with a wrong secret', async () => {
    await assert.rejects(run('mosquitto_pub', ['-h', '127.0.0.1', '-p', env.MQTT_PORT!, '-q', '1', '-u', 'n-01', '-P', 'wrong', '-t', 'gc/demo/noise/n-01/telemetry', '-m', '{}']), /not authori[sz]ed|bad user name or password|Connection Refused/i);
  });

  it('stops everything on Ctrl-C (SIGINT)', async () => {
    assert.equal(await supervisor.interrupt(), 0);
    assert.match(supervisor.output(), /stopped/);
    for (const port of [env.MQTT_PORT, env.INGEST_PORT, env.RULES_PORT, env.INFLUX_LOCAL_PORT]) assert.equal(await portAnswers(Number(port)), false, `port ${port} closed`);
  });
});

describe('npm start refuses to run half-configured', () => {
  it('names every bad variable', async () => {
    const result = await run(process.execPath, [START_SCRIPT], { env: { ...process.env, MQTT_PORT: 'abc', INFLUX_API: 'v3' } }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((result as { code: number }).code, 2);
    assert.match((result as { stderr: string }).stderr, /MQTT_PORT/);
    assert.match((result as { stderr: string }).stderr, /INFLUX_API/);
  });

  it('says how to install InfluxDB when there is none and INFLUX_URL is unset', async () => {
    const dir = await tempDir('greenwatch-noinflux-');
    try {
      const result = await run(process.execPath, [START_SCRIPT], { env: { ...process.env, PATH: dir.path, INFLUX_URL: '', DATA_DIR: dir.path } }).catch((e: { code: number; stderr: string }) => e);
      assert.equal((result as { code: number }).code, 1);
      assert.match((result as { stderr: string }).stderr, /apt-get install influxdb/);
      assert.match((result as { stderr: string }).stderr, /INFLUX_URL=/);
    } finally {
      await dir.remove();
    }
  });
});
