import { Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { InfluxConnection } from './influx-connection.js';
import { PointWriter } from './point-writer.js';

/** The InfluxDB connection of this process, built from the validated AppConfig. */
@Injectable()
export class InfluxStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('InfluxStore');
  readonly connection: InfluxConnection;
  readonly writer: PointWriter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const influx = config.influx;
    if (!influx.url) throw new Error('INFLUX_URL is not set (npm start sets it when it runs a local influxd)');
    this.connection = new InfluxConnection({ url: influx.url, api: influx.api, database: influx.database, user: influx.user, password: influx.password, token: influx.token, org: influx.org });
    this.writer = new PointWriter(this.connection, {
      batchSize: influx.batchSize,
      flushIntervalMs: influx.flushIntervalMs,
      onRejected: (lines, error) => this.logger.error(`InfluxDB refused ${lines.length} lines for good: ${describe(error)}; first: ${lines[0]}`),
      onRetry: (error, attempt, delay) => {
        // Loud on the first failure and then every tenth, so an outage is visible but not a flood.
        if (attempt === 1 || attempt % 10 === 0) this.logger.warn(`write to InfluxDB failed (attempt ${attempt}, next in ${Math.round(delay)} ms, ${this.writer.stats.backlog} lines waiting): ${describe(error)}`);
      },
    });
  }

  async onModuleInit(): Promise<void> {
    // The database may be starting alongside us: retry for a while before giving up.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.connection.ensureDatabase();
        return;
      } catch (error) {
        if (attempt >= 30) throw new Error(`cannot reach InfluxDB at ${this.connection.options.url}: ${describe(error)}`);
        if (attempt === 1) this.logger.warn(`waiting for InfluxDB at ${this.connection.options.url}: ${describe(error)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (!(await this.writer.close())) this.logger.warn(`stopped with ${this.writer.stats.backlog} lines not written to InfluxDB`);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `${code ? `${code} ` : ''}${error.message}`;
  }
  return String(error);
}

@Module({ providers: [InfluxStore], exports: [InfluxStore] })
export class StorageModule {}
