import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { START_SCRIPT, isolatedStartEnv } from '#testing';
import { httpStatus, pollUntil } from './children.js';

/**
 * `npm start` with InfluxDB already running: the time from spawning scripts/start.js (with
 * INFLUX_URL set, a fresh DATA_DIR, the shipped demo community) until the api's /health
 * answers, and until start.js says "ready." (broker accepting, ingest subscribed and healthy,
 * rules started, api answering). The build is not part of it (`npm run bench` built already).
 */
export interface StartupResult {
  healthAnswersMs: number | undefined;
  readyLineMs: number | undefined;
}

export async function benchStartup(options: { influxUrl: string; dir: string }): Promise<StartupResult> {
  const env = await isolatedStartEnv(join(options.dir, 'startup-data'), { INFLUX_URL: options.influxUrl, INFLUX_DB: 'startup', LOG_LEVEL: 'warn' });
  const apiPort = env.API_PORT;
  const t0 = performance.now();
  const child = spawn(process.execPath, [START_SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let readyLineMs: number | undefined;
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (readyLineMs === undefined && /\bready\./.test(output)) readyLineMs = Math.round(performance.now() - t0);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let healthAnswersMs: number | undefined;
  try {
    const answered = await pollUntil(async () => (await httpStatus(`http://127.0.0.1:${apiPort}/health`)) !== undefined, { timeoutMs: 60_000, intervalMs: 25 });
    if (answered) healthAnswersMs = Math.round(performance.now() - t0);
    await pollUntil(() => readyLineMs !== undefined || child.exitCode !== null, { timeoutMs: 30_000, intervalMs: 25 });
  } finally {
    // start.js stops its apps in reverse order on SIGTERM.
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  if (healthAnswersMs === undefined) process.stderr.write(`npm start did not answer:\n${output.slice(-2000)}\n`);
  return { healthAnswersMs, readyLineMs };
}
