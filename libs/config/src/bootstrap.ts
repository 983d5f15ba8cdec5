import { ConsoleLogger, type LogLevel, Logger } from '@nestjs/common';
import { type AppConfig, ConfigError, loadAppConfig } from './app-config.js';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** The Nest log levels at and above the configured one. */
export function logLevelsFor(level: AppConfig['logLevel']): LogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1);
}

/** Nest's start-up chatter: one line per module and route; shown at debug level only. */
const CHATTY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

/**
 * The apps' logger: Nest's console logger, colored only on a terminal (or FORCE_COLOR), with
 * the framework's start-up chatter moved down to debug.
 */
export class AppLogger extends ConsoleLogger {
  constructor(private readonly level: AppConfig['logLevel']) {
    super({ logLevels: logLevelsFor(level), colors: Boolean(process.stdout.isTTY || process.env.FORCE_COLOR), prefix: 'greenwatch' });
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && CHATTY_CONTEXTS.has(context) && this.level !== 'debug' && this.level !== 'verbose') return;
    super.log(message, ...(rest as [string]));
  }
}

/**
 * Runs one app's main(): validates the environment first (a bad value stops the process with
 * a message naming the variable), then starts the app, and stops it cleanly on SIGINT/SIGTERM.
 */
export async function runService(name: string, start: (config: AppConfig) => Promise<{ close(): Promise<void> }>): Promise<void> {
  const logger = new Logger(name);
  let config: AppConfig;
  try {
    config = loadAppConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  let app: { close(): Promise<void> };
  try {
    app = await start(config);
  } catch (error) {
    logger.error(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: stopping`);
    const force = setTimeout(() => {
      logger.error('did not stop within 15 s; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`error while stopping: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Under `npm start` the supervisor holds an IPC channel: when it goes away, so do we.
  if (process.send) process.on('disconnect', () => stop('supervisor gone'));
}
