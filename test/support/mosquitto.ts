import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, portAnswers } from './ports.js';
import { tempDir } from './temp.js';

/** Debian's mosquitto on a free loopback port, anonymous, with unbounded queues for QoS 1. */
export interface TestMosquitto {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function startTestMosquitto(): Promise<TestMosquitto> {
  const dir = await tempDir('greenwatch-mosquitto-');
  const port = await freePort();
  const conf = join(dir.path, 'mosquitto.conf');
  // mosquitto queues at most 1,000 QoS 1 messages per client by default and drops the rest:
  // a consumer behind a burst would lose data. greenwatch's README says to lift that limit.
  await writeFile(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'max_queued_messages 0', 'max_inflight_messages 0', 'persistence false', `log_dest stderr`, 'log_type error', ''].join('\n'));
  const child: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}`);
    if (await portAnswers(port)) break;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await dir.remove();
    },
  };
}

