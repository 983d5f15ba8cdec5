import { HttpError } from '@influxdata/influxdb-client';
import { httpStatusOf } from './influx-connection.js';

/** Where batches go: InfluxConnection in production, anything with `write(body)` in unit tests. */
export interface LineSink {
  write(body: string): Promise<void>;
}

export interface PointWriterOptions {
  /** Lines per request (InfluxDB recommends 5,000–10,000). */
  batchSize: number;
  /** How long a partial batch may wait for company. */
  flushIntervalMs: number;
  /** First and largest pause between retries of a failed batch. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Above this many buffered lines, `isSaturated` turns true so producers can hold back. */
  highWaterMark?: number;
  /** Told about every batch InfluxDB refused for good (HTTP 400): nothing is dropped silently. */
  onRejected?: (lines: string[], error: unknown) => void;
  /** Told about every failed attempt that will be retried. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
}

export interface PointWriterStats {
  /** Lines accepted by InfluxDB. */
  written: number;
  /** Lines InfluxDB refused for good (bad line protocol, field type conflicts). */
  rejected: number;
  /** Lines waiting to be written. */
  backlog: number;
  batches: number;
  failedAttempts: number;
  lastBatchLatencyMs: number;
}

interface Ticket {
  /** The ticket is settled once this many lines (counted from the start) are done. */
  upTo: number;
  resolve: () => void;
}

/**
 * Batches line-protocol lines into InfluxDB. Ordered, one request in flight, retried with
 * exponential backoff and jitter for as long as the failure can pass (network, 5xx, 429, and
 * also 401/403/404, which an operator can fix): a line is never dropped because the database was
 * away. `write()` resolves when InfluxDB has taken the lines, so callers can acknowledge upstream.
 */
export class PointWriter {
  private queue: string[] = [];
  /** Lines removed from the queue and done since the start (written or rejected). */
  private done = 0;
  /** Lines ever enqueued. */
  private enqueued = 0;
  private tickets: Ticket[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | undefined;
  private batchSize: number;
  private closed = false;
  private readonly timers: NonNullable<PointWriterOptions['timers']>;
  readonly stats: PointWriterStats = { written: 0, rejected: 0, backlog: 0, batches: 0, failedAttempts: 0, lastBatchLatencyMs: 0 };

  constructor(
    private readonly sink: LineSink,
    private readonly options: PointWriterOptions,
  ) {
    this.batchSize = options.batchSize;
    this.timers = options.timers ?? { setTimeout, clearTimeout };
  }

  /** Buffers lines; the promise resolves when all of them are in InfluxDB (or refused for good). */
  write(lines: string | readonly string[]): Promise<void> {
    this.enqueue(lines);
    const upTo = this.enqueued;
    return new Promise((resolve) => this.tickets.push({ upTo, resolve }));
  }

  /** Buffers lines without a promise: for producers that only need `flush()`. */
  enqueue(lines: string | readonly string[]): void {
    if (this.closed) throw new Error('PointWriter is closed');
    if (typeof lines === 'string') this.queue.push(lines);
    else for (const line of lines) this.queue.push(line);
    this.enqueued += typeof lines === 'string' ? 1 : lines.length;
    this.stats.backlog = this.queue.length;
    this.schedule();
  }

  /** Lines done (written or refused for good) since the start, in the order they came. */
  get completed(): number {
    return this.done;
  }

  get isSaturated(): boolean {
    return this.queue.length >= (this.options.highWaterMark ?? 1_000_000);
  }

  /** Resolves when everything enqueued so far is done. */
  async flush(): Promise<void> {
    if (this.done >= this.enqueued) return;
    const upTo = this.enqueued;
    const settled = new Promise<void>((resolve) => this.tickets.push({ upTo, resolve }));
    this.send();
    await settled;
  }

  /**
   * Flushes for at most `timeoutMs` (InfluxDB may be away), then refuses further writes.
   * Resolves true when everything was written.
   */
  async close(timeoutMs = 5_000): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flushed = await Promise.race([this.flush().then(() => true), new Promise<boolean>((resolve) => (timer = this.timers.setTimeout(() => resolve(false), timeoutMs)))]);
    this.timers.clearTimeout(timer);
    this.closed = true;
    if (this.timer) this.timers.clearTimeout(this.timer);
    return flushed;
  }

  private schedule(): void {
    if (this.inFlight) return;
    if (this.queue.length >= this.batchSize) {
      this.send();
    } else if (!this.timer) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = undefined;
        this.send();
      }, this.options.flushIntervalMs);
    }
  }

  private send(): void {
    if (this.inFlight || this.queue.length === 0) return;
    if (this.timer) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.inFlight = this.drain().finally(() => {
      this.inFlight = undefined;
      if (this.queue.length) this.schedule();
    });
  }

  /**
   * Writes the head of the queue until it is empty. Lines that arrive while a request is in
   * flight go in the next one at once, so batches grow with load and stay small when it is light.
   */
  private async drain(): Promise<void> {
    let attempt = 0;
    while (this.queue.length) {
      const batch = this.queue.slice(0, this.batchSize);
      const started = performance.now();
      try {
        await this.sink.write(batch.join('\n'));
        this.stats.written += batch.length;
        this.stats.batches += 1;
        this.stats.lastBatchLatencyMs = performance.now() - started;
        this.complete(batch.length);
        attempt = 0;
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === 400) {
          // Refused for good: InfluxDB 1.x has written the good lines of the batch already.
          this.stats.rejected += batch.length;
          this.options.onRejected?.(batch, error);
          this.complete(batch.length);
          continue;
        }
        if (status === 413) {
          if (batch.length === 1) {
            // One line larger than the server takes: refused for good, like a 400.
            this.stats.rejected += 1;
            this.options.onRejected?.(batch, error);
            this.complete(1);
            continue;
          }
          // Too large: halve what was actually sent, and keep the smaller size from now on.
          this.batchSize = Math.max(1, Math.floor(batch.length / 2));
          continue;
        }
        attempt += 1;
        this.stats.failedAttempts += 1;
        const delay = this.retryDelay(error, attempt);
        this.options.onRetry?.(error, attempt, delay);
        await new Promise((resolve) => this.timers.setTimeout(resolve, delay));
      }
    }
  }

  private retryDelay(error: unknown, attempt: number): number {
    const min = this.options.minRetryDelayMs ?? 100;
    const max = this.options.maxRetryDelayMs ?? 10_000;
    const backoff = Math.min(max, min * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
    const serverHint = error instanceof HttpError ? error.retryAfter() * 1000 : 0; // Retry-After is in seconds
    return Math.min(max, Math.max(backoff, serverHint));
  }

  private complete(count: number): void {
    this.queue.splice(0, count);
    this.done += count;
    this.stats.backlog = this.queue.length;
    // Tickets are pushed in enqueue order, so their upTo never decreases.
    let settled = 0;
    while (settled < this.tickets.length && this.tickets[settled].upTo <= this.done) this.tickets[settled++].resolve();
    if (settled) this.tickets.splice(0, settled);
  }
}
