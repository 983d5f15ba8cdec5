import { type LogLevel, Logger } from '@nestjs/common';
import { type AppConfig, ConfigError, loadAppConfig } from './app-config.js';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** The Nest log levels at and above the configured one. */
export function logLevelsFor(level: AppConfig['logLevel']): LogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1);
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
}
