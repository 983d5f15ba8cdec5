import { HttpError, InfluxDB, type Transport, canRetryHttpCall } from '@influxdata/influxdb-client';

/**
 * The one place that speaks HTTP to InfluxDB, in two dialects:
 *   v1 (InfluxDB 1.x):      POST /write?db=&precision=ms, user/password; CREATE DATABASE on start
 *   v2 (InfluxDB 2.x, 3.x): POST /api/v2/write?org=&bucket=&precision=ms, "Authorization: Token"
 * Reads are InfluxQL over /query, which every version serves (2.x through its v1 compatibility
 * API, with a DBRP mapping for the bucket; 3.x natively).
 * HTTP itself, keep-alive and error classification are @influxdata/influxdb-client's.
 */
export interface InfluxConnectionOptions {
  url: string;
  api: 'v1' | 'v2';
  database: string;
  user?: string;
  password?: string;
  token?: string;
  org?: string;
  timeoutMs?: number;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export class InfluxQueryError extends Error {
  override name = 'InfluxQueryError';
}

export class InfluxConnection {
  private readonly transport: Transport;
  private readonly writePath: string;

  constructor(readonly options: InfluxConnectionOptions) {
    this.transport = new InfluxDB({ url: options.url, token: options.api === 'v2' ? options.token : undefined, timeout: options.timeoutMs ?? 10_000 }).transport;
    this.writePath =
      options.api === 'v1'
        ? `/write?${this.v1Params({ db: options.database, precision: 'ms' })}`
        : `/api/v2/write?${new URLSearchParams({ org: options.org ?? '', bucket: options.database, precision: 'ms' })}`;
  }

  /** Writes a newline-separated line-protocol body. Rejects with the client's HttpError on failure. */
  async write(body: string): Promise<void> {
    await this.transport.request(this.writePath, body, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  /**
   * Runs InfluxQL and returns the series of the first statement. Values that come from callers
   * must go through `influxString` / `influxRegex`, never straight into the text.
   */
  async query(influxql: string, database = this.options.database): Promise<InfluxSeries[]> {
    const params = this.options.api === 'v1' ? this.v1Params({ db: database, q: influxql, epoch: 'ms' }) : new URLSearchParams({ db: database, q: influxql, epoch: 'ms' }).toString();
    const response = (await this.transport.request(`/query?${params}`, '', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } })) as {
      results?: { error?: string; series?: InfluxSeries[] }[];
      error?: string;
    };
    const result = response.results?.[0];
    const error = response.error ?? result?.error;
    if (error) throw new InfluxQueryError(`${error} (query: ${influxql})`);
    return result?.series ?? [];
  }

  /** Creates the database when missing (v1 only; a v2 bucket is made by its owner). */
  async ensureDatabase(): Promise<void> {
    if (this.options.api !== 'v1') return;
    await this.query(`CREATE DATABASE ${influxIdentifier(this.options.database)}`, '');
  }

  /** True when the server answers /ping. */
  async ping(): Promise<boolean> {
    try {
      await this.transport.request('/ping', '', { method: 'GET' });
      return true;
    } catch {
      return false;
    }
  }

  private v1Params(params: Record<string, string>): string {
    const search = new URLSearchParams(params);
    if (this.options.user) search.set('u', this.options.user);
    if (this.options.password) search.set('p', this.options.password);
    return search.toString();
  }
}

/** Whether a failed write may succeed later (network, timeouts, 429, 5xx). */
export function isRetriableWriteError(error: unknown): boolean {
  return canRetryHttpCall(error) || (error instanceof Error && /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up/i.test(`${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`));
}

export function httpStatusOf(error: unknown): number | undefined {
  return error instanceof HttpError ? error.statusCode : undefined;
}

/** An InfluxQL string literal: single quotes, with quote and backslash escaped. */
export function influxString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** An InfluxQL identifier in double quotes. */
export function influxIdentifier(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
