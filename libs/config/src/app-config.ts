import { z } from 'zod';
import { problemsFromZod } from '#contracts';

/**
 * The process environment, validated once at boot into one typed object
 * (shared/design/contract.md, "Configuration"). Every app reads the same names.
 * One ConfigError names every bad variable at once.
 */

/** A whole number written in plain digits ("1e3" and "0x10" are not ports). */
const whole = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const port = whole(0, 65_535);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `a URL (${protocols.join(' or ')})`);

export const ENV_SCHEMA = z
  .object({
    // --- the contract's table ---
    MQTT_PORT: port.default(1883),
    MQTT_WS_PORT: port.default(8083),
    MQTT_URL: url(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']).default('mqtt://127.0.0.1:1883'),
    MQTT_ALLOW_ANONYMOUS: bool.default(false),
    INFLUX_URL: url(['http:', 'https:']).optional(),
    INFLUX_API: z.enum(['v1', 'v2']).default('v1'),
    INFLUX_DB: z.string().min(1).max(200).default('greenwatch'),
    INFLUX_USER: z.string().default(''),
    INFLUX_PASSWORD: z.string().default(''),
    INFLUX_TOKEN: z.string().default(''),
    INFLUX_ORG: z.string().default(''),
    API_PORT: port.default(3000),
    ADMIN_API_KEY: z.string().min(16, 'at least 16 characters').optional(),
    COMMUNITY_CONFIG_DIR: z.string().min(1).default('./config/communities'),
    DATA_DIR: z.string().min(1).default('./var'),
    // --- greenwatch's own (README, "Configuration") ---
    // Seconds between looks at COMMUNITY_CONFIG_DIR for changed files (ingest, rules, api); 0: only at start.
    COMMUNITY_CONFIG_POLL_S: z.coerce.number().min(0).max(3600).default(5),
    MQTT_BIND: z.string().min(1).default('0.0.0.0'),
    MQTTS_PORT: port.default(8883),
    MQTT_WSS_PORT: port.default(8084),
    MQTT_TLS_CERT: z.string().optional(),
    MQTT_TLS_KEY: z.string().optional(),
    MQTT_MAX_PACKET_KB: whole(1, 262_144).default(64),
    MQTT_DEVICE_MSGS_PER_S: whole(1, 1_000_000).default(1000),
    MQTT_CONNECTS_PER_S: whole(1, 1_000_000).default(100),
    MQTT_PERSISTENCE_FSYNC: bool.default(false),
    MQTT_QUEUE_BUDGET_MB: whole(1, 1_000_000).default(512),
    MQTT_USERNAME: z.string().default(''),
    MQTT_PASSWORD: z.string().default(''),
    INGEST_CLIENT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an MQTT client id').default('greenwatch-ingest'),
    INGEST_PORT: port.default(3001),
    INGEST_MEMORY_LINES: whole(1_000, 50_000_000).default(200_000),
    INGEST_DISK_BUDGET_MB: whole(1, 10_000_000).default(2048),
    RULES_CLIENT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an MQTT client id').default('greenwatch-rules'),
    RULES_PORT: port.default(3002),
    // Seconds, fractions allowed (the benchmark judges with RULES_LATENESS_S=0.05).
    RULES_LATENESS_S: z.coerce.number().min(0).max(86_400).default(120),
    RULES_SNAPSHOT_S: z.coerce.number().min(1).max(3600).default(10),
    RULES_CATCHUP_S: z.coerce.number().min(0).max(3600).default(30),
    INFLUX_LOCAL_PORT: port.default(8086),
    INFLUX_BATCH_SIZE: whole(1, 100_000).default(5000),
    INFLUX_FLUSH_MS: whole(1, 60_000).default(100),
    LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
    API_BIND: z.string().min(1).default('0.0.0.0'),
    API_CLIENT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an MQTT client id').default('greenwatch-api'),
    NOTIFY_RETRY_MS: z.coerce.number().int().min(1).max(3_600_000).default(2000),
    NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
    NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.MQTT_TLS_CERT) !== Boolean(env.MQTT_TLS_KEY)) {
      ctx.addIssue({ code: 'custom', path: [env.MQTT_TLS_CERT ? 'MQTT_TLS_KEY' : 'MQTT_TLS_CERT'], message: 'set together with the other (PEM files for the MQTTS and WSS listeners)' });
    }
    if (env.INFLUX_API === 'v2' && !env.INFLUX_URL) {
      ctx.addIssue({ code: 'custom', path: ['INFLUX_URL'], message: 'set when INFLUX_API=v2 (the local influxd speaks v1)' });
    }
  });

export interface AppConfig {
  mqtt: {
    port: number;
    /** TLS listeners (MQTTS, WSS), started when both a certificate and a key are given (PEM files). */
    tls: { port: number; wsPort: number; certFile: string; keyFile: string } | undefined;
    /** Largest MQTT packet the embedded broker reads; a larger one closes the connection. */
    maxPacketBytes: number;
    /** Messages a device may publish per second (a burst of 10 s worth is allowed). */
    deviceMessagesPerSecond: number;
    /** New connections per second from one IP address (a burst of 10 s worth is allowed). */
    connectsPerSecond: number;
    /** fdatasync the broker's session journal before acknowledging (power-cut safe, slower). */
    persistenceFsync: boolean;
    /** Memory the broker's persistent-session queues may hold before PUBACKs wait (bytes). */
    queueBudgetBytes: number;
    wsPort: number;
    bind: string;
    url: string;
    allowAnonymous: boolean;
    /** The account services use on the broker; the embedded broker gives it every topic. */
    username: string;
    password: string;
  };
  influx: {
    /** Unset: `npm start` runs a local influxd. */
    url: string | undefined;
    api: 'v1' | 'v2';
    database: string;
    user: string;
    password: string;
    token: string;
    org: string;
    batchSize: number;
    flushIntervalMs: number;
    /** Port of the local influxd that `npm start` runs when `url` is unset. */
    localPort: number;
  };
  ingest: {
    clientId: string;
    port: number;
    /** Lines held in memory for InfluxDB before the rest waits in the on-disk journal only. */
    memoryLines: number;
    /** Above this journal size the ingest stops acknowledging (publishers keep the data). */
    diskBudgetBytes: number;
  };
  rules: {
    /** Fixed MQTT client id: its persistent session keeps what devices publish while it is down. */
    clientId: string;
    /** The rules' /health and /metrics (loopback). */
    port: number;
    /** How late (event time) a message may come and still be judged. */
    latenessMs: number;
    /** How often the rule state is saved to DATA_DIR/rules/state.json. */
    snapshotIntervalMs: number;
    /** Longest wall time to wait, after a restart, for the broker's backlog before judging resumes anyway. */
    catchUpTimeoutMs: number;
  };
  api: {
    port: number;
    adminApiKey: string | undefined;
    /** Address the HTTP API listens on. */
    bind: string;
    /** The api's MQTT client id; its persistent session keeps alerts published while it is down. */
    clientId: string;
    /** Notification retries: first retry after this, doubling each time, up to maxAttempts in all. */
    notifyRetryMs: number;
    notifyMaxAttempts: number;
    /** How long one delivery attempt may take. */
    notifyTimeoutMs: number;
  };
  communityConfigDir: string;
  /** How often the ingest, the rules and the api look for changed community files; 0: never after start. */
  communityConfigPollMs: number;
  dataDir: string;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable (VAR= in a .env file or compose) means "not set": the default applies.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = ENV_SCHEMA.safeParse(given);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(environment)');
        const expected = issue.code === 'invalid_format' || issue.code === 'custom' ? issue.message : problemsFromZod([issue])[0].expected;
        // What came is the variable's own text, never the parsed environment (it holds secrets).
        const raw = given[variable];
        return { variable, message: `expected ${expected}, got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}` };
      }),
    );
  }
  const e = result.data;
  return {
    mqtt: {
      port: e.MQTT_PORT,
      wsPort: e.MQTT_WS_PORT,
      bind: e.MQTT_BIND,
      url: e.MQTT_URL,
      allowAnonymous: e.MQTT_ALLOW_ANONYMOUS,
      username: e.MQTT_USERNAME,
      password: e.MQTT_PASSWORD,
      tls: e.MQTT_TLS_CERT && e.MQTT_TLS_KEY ? { port: e.MQTTS_PORT, wsPort: e.MQTT_WSS_PORT, certFile: e.MQTT_TLS_CERT, keyFile: e.MQTT_TLS_KEY } : undefined,
      maxPacketBytes: e.MQTT_MAX_PACKET_KB * 1024,
      deviceMessagesPerSecond: e.MQTT_DEVICE_MSGS_PER_S,
      connectsPerSecond: e.MQTT_CONNECTS_PER_S,
      persistenceFsync: e.MQTT_PERSISTENCE_FSYNC,
      queueBudgetBytes: e.MQTT_QUEUE_BUDGET_MB * 1024 * 1024,
    },
    influx: {
      url: e.INFLUX_URL,
      api: e.INFLUX_API,
      database: e.INFLUX_DB,
      user: e.INFLUX_USER,
      password: e.INFLUX_PASSWORD,
      token: e.INFLUX_TOKEN,
      org: e.INFLUX_ORG,
      batchSize: e.INFLUX_BATCH_SIZE,
      flushIntervalMs: e.INFLUX_FLUSH_MS,
      localPort: e.INFLUX_LOCAL_PORT,
    },
    ingest: { clientId: e.INGEST_CLIENT_ID, port: e.INGEST_PORT, memoryLines: e.INGEST_MEMORY_LINES, diskBudgetBytes: e.INGEST_DISK_BUDGET_MB * 1024 * 1024 },
    rules: { clientId: e.RULES_CLIENT_ID, port: e.RULES_PORT, latenessMs: e.RULES_LATENESS_S * 1000, snapshotIntervalMs: e.RULES_SNAPSHOT_S * 1000, catchUpTimeoutMs: e.RULES_CATCHUP_S * 1000 },
    api: {
      port: e.API_PORT,
      adminApiKey: e.ADMIN_API_KEY,
      bind: e.API_BIND,
      clientId: e.API_CLIENT_ID,
      notifyRetryMs: e.NOTIFY_RETRY_MS,
      notifyMaxAttempts: e.NOTIFY_MAX_ATTEMPTS,
      notifyTimeoutMs: e.NOTIFY_TIMEOUT_MS,
    },
    communityConfigDir: e.COMMUNITY_CONFIG_DIR,
    communityConfigPollMs: e.COMMUNITY_CONFIG_POLL_S * 1000,
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
  };
}

/** Every variable the apps read, for documentation checks (README, docker-compose). */
export const CONFIG_VARIABLES = Object.keys(ENV_SCHEMA.shape);
