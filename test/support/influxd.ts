import { join } from 'node:path';
import { InfluxConnection, LocalInfluxd } from '#storage';
import { freePort } from './ports.js';
import { tempDir } from './temp.js';

/** A real influxd for one test file: temp data dir, free loopback ports. */
export interface TestInflux {
  url: string;
  server: LocalInfluxd;
  connection(database: string): InfluxConnection;
  stop(): Promise<void>;
}

export async function startTestInflux(): Promise<TestInflux> {
  const dir = await tempDir('greenwatch-influxd-');
  const server = await LocalInfluxd.start({ dir: join(dir.path, 'influxdb'), httpPort: await freePort(), rpcPort: await freePort() });
  return {
    url: server.url,
    server,
    connection: (database) => new InfluxConnection({ url: server.url, api: 'v1', database }),
    async stop() {
      await server.stop();
      await dir.remove();
    },
  };
}
