import type { INestApplication } from '@nestjs/common';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AppConfig, loadAppConfig } from '#config';
import { startApi } from '../../apps/api/src/start.js';
import { startRules } from '../../apps/rules/src/start.js';
import { TestPipeline } from './pipeline.js';
import { freePort } from './ports.js';
import { tempDir } from './temp.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
const RULES_OPTIONS = { clientId: 'greenwatch-rules-test', latenessMs: 1000, snapshotIntervalMs: 3_600_000 };

/**
 * The whole pipeline for API tests, all real and in this process: aedes broker, ingest, rules and
 * api on free loopback ports, against the influxd the test file started, with the community YAML
 * files given. Rules judge with 1 s of lateness, so an incident is judged as soon as a later
 * reading moves the community's clock on.
 */
export class ApiStack {
  private constructor(
    readonly pipeline: TestPipeline,
    readonly config: AppConfig,
    public api: INestApplication | undefined,
    private rules: INestApplication | undefined,
    private readonly removeDir: () => Promise<void>,
  ) {}

  static async start(options: { influxUrl: string; database: string; communities: Record<string, string>; env?: Record<string, string>; brokerPersistence?: boolean }): Promise<ApiStack> {
    const dir = await tempDir('greenwatch-api-communities-');
    for (const [name, yaml] of Object.entries(options.communities)) await writeFile(join(dir.path, `${name}.yaml`), yaml);
    const pipeline = await TestPipeline.start({ influxUrl: options.influxUrl, database: options.database, communityConfigDir: dir.path, allowAnonymous: true, env: options.env, brokerPersistence: options.brokerPersistence });
    const config = loadAppConfig({
      ...pipeline.env,
      API_PORT: String(await freePort()),
      API_BIND: '127.0.0.1',
      ADMIN_API_KEY: ADMIN_KEY,
      API_CLIENT_ID: 'greenwatch-api-test',
      NOTIFY_RETRY_MS: '50',
      NOTIFY_MAX_ATTEMPTS: '4',
      NOTIFY_TIMEOUT_MS: '2000',
      ...options.env,
    });
    const api = await startApi(config);
    const rules = await startRules(config, RULES_OPTIONS);
    return new ApiStack(pipeline, config, api, rules, dir.remove);
  }

  get url(): string {
    return `http://127.0.0.1:${this.config.api.port}`;
  }

  async restartApi(): Promise<void> {
    await this.api?.close();
    this.api = await startApi(this.config);
  }

  async stopRules(): Promise<void> {
    await this.rules?.close();
    this.rules = undefined;
  }

  async startRules(): Promise<void> {
    this.rules ??= await startRules(this.config, RULES_OPTIONS);
  }

  async stop(): Promise<void> {
    await this.rules?.close();
    this.rules = undefined;
    await this.api?.close();
    this.api = undefined;
    await this.pipeline.stop();
    await this.removeDir();
  }
}

/** fetch against the api with a key; answers status and parsed body (JSON when it is JSON). */
export async function call(base: string, path: string, options: { key?: string; method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, { method: options.method ?? 'GET', headers, body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body: body as any, text, headers: response.headers };
}
