import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A local InfluxDB 1.x server (Debian's `influxd`) for `npm start` when INFLUX_URL is unset and
 * for the integration tests: loopback only, data under one directory, nothing reported home.
 */
export interface LocalInfluxdOptions {
  /** Holds meta/, data/, wal/ and influxdb.conf. */
  dir: string;
  /** HTTP API port on 127.0.0.1. */
  httpPort: number;
  /** The RPC port for backup/restore (influxd binds it even when unused), on 127.0.0.1. */
  rpcPort: number;
  /** Passed through to influxd's output; default: discarded. */
  stdio?: 'inherit' | 'ignore' | 'pipe';
  binary?: string;
}

export class InfluxdNotInstalledError extends Error {
  constructor(binary: string) {
    super(
      `no InfluxDB server: \`${binary}\` is not on PATH and INFLUX_URL is not set.\n` +
        '  Install one (Debian/Ubuntu: sudo apt-get install influxdb), or point greenwatch at a server:\n' +
        '  INFLUX_URL=http://host:8086 (and INFLUX_API=v2 with INFLUX_TOKEN, INFLUX_ORG for InfluxDB 2.x/3.x).',
    );
    this.name = 'InfluxdNotInstalledError';
  }
}

/** influxd's TOML configuration; pure, so that what we run is easy to read and test. */
export function renderInfluxdConfig(options: Pick<LocalInfluxdOptions, 'dir' | 'httpPort' | 'rpcPort'>): string {
  const q = (path: string) => JSON.stringify(path);
  return [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${options.rpcPort}"`,
    '[meta]',
    `  dir = ${q(join(options.dir, 'meta'))}`,
    '  logging-enabled = false',
    '[data]',
    `  dir = ${q(join(options.dir, 'data'))}`,
    `  wal-dir = ${q(join(options.dir, 'wal'))}`,
    '  query-log-enabled = false',
    '  index-version = "inmem"',
    '[monitor]',
    '  store-enabled = false',
    '[http]',
    '  enabled = true',
    `  bind-address = "127.0.0.1:${options.httpPort}"`,
    '  auth-enabled = false',
    '  log-enabled = false',
    '  max-body-size = 50000000',
    '[logging]',
    '  level = "warn"',
    '[continuous_queries]',
    '  log-enabled = false',
    '',
  ].join('\n');
}

export function influxdAvailable(binary = 'influxd'): boolean {
  return spawnSync(binary, ['version'], { stdio: 'ignore' }).status === 0;
}

export class LocalInfluxd {
  private constructor(
    readonly process: ChildProcess,
    readonly url: string,
    readonly options: LocalInfluxdOptions,
  ) {}

  /** Starts influxd and resolves once it answers /ping (or rejects with what it said). */
  static async start(options: LocalInfluxdOptions): Promise<LocalInfluxd> {
    const binary = options.binary ?? 'influxd';
    if (!influxdAvailable(binary)) throw new InfluxdNotInstalledError(binary);
    await mkdir(options.dir, { recursive: true });
    const configPath = join(options.dir, 'influxdb.conf');
    await writeFile(configPath, renderInfluxdConfig(options));
    const child = spawn(binary, ['-config', configPath], { stdio: ['ignore', options.stdio ?? 'ignore', options.stdio === 'inherit' ? 'inherit' : 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const url = `http://127.0.0.1:${options.httpPort}`;
    const server = new LocalInfluxd(child, url, options);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`influxd exited with code ${child.exitCode}: ${stderr.trim()}`);
      try {
        const response = await fetch(`${url}/ping`);
        if (response.status === 204) return server;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`influxd did not answer on ${url} within 30 s: ${stderr.trim()}`);
  }

  /** Stops it: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
