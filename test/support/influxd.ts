import { join } from 'node:path';
import { InfluxConnection, LocalInfluxd, type LocalInfluxdOptions } from '#storage';
import { freePort } from './ports.js';
import { tempDir } from './temp.js';

/** A real influxd for one test file: temp data dir, free loopback ports. */
export interface TestInflux {
  url: string;
  server: LocalInfluxd;
  connection(database: string): InfluxConnection;
  /** kill -9: no chance to flush or say goodbye. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestInflux(): Promise<TestInflux> {
  const dir = await tempDir('greenwatch-influxd-');
  const options: LocalInfluxdOptions = { dir: join(dir.path, 'influxdb'), httpPort: await freePort(), rpcPort: await freePort() };
  const handle: TestInflux = {
    url: '',
    server: await LocalInfluxd.start(options),
    connection: (database) => new InfluxConnection({ url: handle.url, api: 'v1', database }),
    async kill() {
      const child = handle.server.process;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      handle.server = await LocalInfluxd.start(options);
    },
    async stop() {
      await handle.server.stop();
      await dir.remove();
    },
  };
  handle.url = handle.server.url;
  return handle;
}
