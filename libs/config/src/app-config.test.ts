import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type AppConfig, CONFIG_VARIABLES, ConfigError, loadAppConfig } from './app-config.js';
import { logLevelsFor } from './bootstrap.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadAppConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the environment to be refused');
}

describe('loadAppConfig: defaults', () => {
  it('equal the contract\'s configuration table (and greenwatch\'s own)', () => {
    const expected: AppConfig = {
      // contract.md, "Configuration"
      mqtt: { port: 1883, wsPort: 8083, url: 'mqtt://127.0.0.1:1883', allowAnonymous: false, bind: '0.0.0.0', username: '', password: '', tls: undefined, maxPacketBytes: 64 * 1024, deviceMessagesPerSecond: 1000, connectsPerSecond: 100, persistenceFsync: false, queueBudgetBytes: 512 * 1024 * 1024 },
      influx: { url: undefined, api: 'v1', database: 'greenwatch', user: '', password: '', token: '', org: '', batchSize: 5000, flushIntervalMs: 100, localPort: 8086 },
      api: { port: 3000, adminApiKey: undefined, bind: '0.0.0.0', clientId: 'greenwatch-api', notifyRetryMs: 2000, notifyMaxAttempts: 6, notifyTimeoutMs: 5000 },
      communityConfigDir: './config/communities',
      communityConfigPollMs: 5000,
      dataDir: './var',
      ingest: { clientId: 'greenwatch-ingest', port: 3001, memoryLines: 200_000, diskBudgetBytes: 2048 * 1024 * 1024 },
      rules: { clientId: 'greenwatch-rules', port: 3002, latenessMs: 120_000, snapshotIntervalMs: 10_000, catchUpTimeoutMs: 30_000 },
      logLevel: 'log',
    };
    assert.deepEqual(loadAppConfig({}), expected);
  });

  it('every variable of the contract\'s table is a known configuration variable', () => {
    const contract = ['MQTT_PORT', 'MQTT_WS_PORT', 'MQTT_URL', 'MQTT_ALLOW_ANONYMOUS', 'INFLUX_URL', 'INFLUX_API', 'INFLUX_DB', 'INFLUX_USER', 'INFLUX_PASSWORD', 'INFLUX_TOKEN', 'INFLUX_ORG', 'API_PORT', 'ADMIN_API_KEY', 'COMMUNITY_CONFIG_DIR', 'DATA_DIR'];
    for (const v of contract) assert.ok(CONFIG_VARIABLES.includes(v), v);
    assert.equal(new Set(CONFIG_VARIABLES).size, CONFIG_VARIABLES.length);
  });

  it('the README\'s configuration table names every variable', () => {
    const readme = readFileSync('README.md', 'utf8');
    assert.deepEqual(CONFIG_VARIABLES.filter((v) => !readme.includes(`\`${v}\``)), []);
  });

  it('ignores variables it does not know (PATH, HOME, ...)', () => {
    assert.equal(loadAppConfig({ PATH: '/usr/bin', HOME: '/root', MQTT_PORTS: 'x' }).mqtt.port, 1883);
  });

  it('an empty INFLUX_URL or ADMIN_API_KEY counts as unset', () => {
    const c = loadAppConfig({ INFLUX_URL: '', ADMIN_API_KEY: '' });
    assert.equal(c.influx.url, undefined);
    assert.equal(c.api.adminApiKey, undefined);
  });
});

describe('loadAppConfig: values', () => {
  it('reads every variable into the typed object', () => {
    const c = loadAppConfig({
      MQTT_PORT: '11883',
      MQTT_WS_PORT: '18083',
      MQTT_URL: 'mqtts://broker.example:8883',
      MQTT_ALLOW_ANONYMOUS: 'true',
      INFLUX_URL: 'https://influx.example:8086',
      INFLUX_API: 'v2',
      INFLUX_DB: 'gw',
      INFLUX_USER: 'u',
      INFLUX_PASSWORD: 'p',
      INFLUX_TOKEN: 't',
      INFLUX_ORG: 'o',
      API_PORT: '8080',
      ADMIN_API_KEY: '0123456789abcdef',
      COMMUNITY_CONFIG_DIR: '/etc/gw/communities',
      DATA_DIR: '/var/lib/greenwatch',
      MQTT_BIND: '127.0.0.1',
      MQTT_USERNAME: 'svc',
      MQTT_PASSWORD: 'secret',
      INGEST_CLIENT_ID: 'ingest-2',
      INGEST_MEMORY_LINES: '5000',
      INGEST_DISK_BUDGET_MB: '3',
      INFLUX_LOCAL_PORT: '9086',
      INGEST_PORT: '3101',
      INFLUX_BATCH_SIZE: '100',
      INFLUX_FLUSH_MS: '25',
      LOG_LEVEL: 'debug',
      API_BIND: '127.0.0.1',
      API_CLIENT_ID: 'api-2',
      NOTIFY_RETRY_MS: '50',
      NOTIFY_MAX_ATTEMPTS: '3',
      NOTIFY_TIMEOUT_MS: '1000',
      RULES_CLIENT_ID: 'rules-2',
      RULES_PORT: '3102',
      RULES_LATENESS_S: '90',
      RULES_SNAPSHOT_S: '5',
      RULES_CATCHUP_S: '0',
      COMMUNITY_CONFIG_POLL_S: '0.5',
    });
    assert.deepEqual(c, {
      mqtt: { port: 11883, wsPort: 18083, url: 'mqtts://broker.example:8883', allowAnonymous: true, bind: '127.0.0.1', username: 'svc', password: 'secret', tls: undefined, maxPacketBytes: 64 * 1024, deviceMessagesPerSecond: 1000, connectsPerSecond: 100, persistenceFsync: false, queueBudgetBytes: 512 * 1024 * 1024 },
      influx: { url: 'https://influx.example:8086', api: 'v2', database: 'gw', user: 'u', password: 'p', token: 't', org: 'o', batchSize: 100, flushIntervalMs: 25, localPort: 9086 },
      api: { port: 8080, adminApiKey: '0123456789abcdef', bind: '127.0.0.1', clientId: 'api-2', notifyRetryMs: 50, notifyMaxAttempts: 3, notifyTimeoutMs: 1000 },
      communityConfigDir: '/etc/gw/communities',
      communityConfigPollMs: 500,
      dataDir: '/var/lib/greenwatch',
      ingest: { clientId: 'ingest-2', port: 3101, memoryLines: 5000, diskBudgetBytes: 3 * 1024 * 1024 },
      rules: { clientId: 'rules-2', port: 3102, latenessMs: 90_000, snapshotIntervalMs: 5000, catchUpTimeoutMs: 0 },
      logLevel: 'debug',
    });
  });

  it('MQTT_ALLOW_ANONYMOUS accepts true/false, 1/0, yes/no', () => {
    for (const [v, b] of [['true', true], ['1', true], ['yes', true], ['false', false], ['0', false], ['no', false]] as const) assert.equal(loadAppConfig({ MQTT_ALLOW_ANONYMOUS: v }).mqtt.allowAnonymous, b, v);
  });

  it('MQTT_URL accepts mqtt, mqtts, tcp, ssl, ws and wss', () => {
    for (const u of ['mqtt://h:1883', 'mqtts://h', 'tcp://h', 'ssl://h', 'ws://h:8083/mqtt', 'wss://h/mqtt']) assert.equal(loadAppConfig({ MQTT_URL: u }).mqtt.url, u);
  });

  it('the rules\' seconds may be fractions (RULES_LATENESS_S=0.05 for the benchmark)', () => {
    const rules = loadAppConfig({ RULES_LATENESS_S: '0.05', RULES_SNAPSHOT_S: '2.5', RULES_CATCHUP_S: '0.5' }).rules;
    assert.deepEqual([rules.latenessMs, rules.snapshotIntervalMs, rules.catchUpTimeoutMs], [50, 2500, 500]);
  });

  it('port 0 (pick a free port, for tests) and 65535 are valid', () => {
    assert.equal(loadAppConfig({ MQTT_PORT: '0' }).mqtt.port, 0);
    assert.equal(loadAppConfig({ MQTT_PORT: '65535' }).mqtt.port, 65535);
  });
});

describe('loadAppConfig: one ConfigError names every bad variable', () => {
  it('MQTT_PORT=abc, INFLUX_API=v3, MQTT_URL=ftp://x: all three at once', () => {
    const e = configError({ MQTT_PORT: 'abc', INFLUX_API: 'v3', MQTT_URL: 'ftp://x' });
    assert.deepEqual(e.problems.map((p) => p.variable).sort(), ['INFLUX_API', 'MQTT_PORT', 'MQTT_URL']);
    assert.equal(e.name, 'ConfigError');
    assert.match(e.message, /^invalid configuration:\n/);
    for (const v of ['MQTT_PORT', 'INFLUX_API', 'MQTT_URL']) assert.match(e.message, new RegExp(`^  ${v}: expected `, 'm'));
    const byVar = Object.fromEntries(e.problems.map((p) => [p.variable, p.message]));
    assert.match(byVar.INFLUX_API, /"v1".*"v2".*got "v3"/);
    assert.match(byVar.MQTT_URL, /a URL \(mqtt: .*\), got "ftp:\/\/x"/);
    assert.match(byVar.MQTT_PORT, /number/);
  });

  it('INFLUX_API=v2 without INFLUX_URL is an error naming INFLUX_URL', () => {
    const e = configError({ INFLUX_API: 'v2' });
    assert.deepEqual(e.problems.map((p) => p.variable), ['INFLUX_URL']);
    assert.match(e.problems[0].message, /^expected set when INFLUX_API=v2/);
  });

  it('INFLUX_API=v2 with an empty INFLUX_URL is the same error', () => {
    assert.deepEqual(configError({ INFLUX_API: 'v2', INFLUX_URL: '' }).problems.map((p) => p.variable), ['INFLUX_URL']);
  });

  it('ports out of range, a fractional port, both reported', () => {
    const e = configError({ MQTT_PORT: '70000', API_PORT: '-1', MQTT_WS_PORT: '8083.5' });
    assert.deepEqual(e.problems.map((p) => p.variable).sort(), ['API_PORT', 'MQTT_PORT', 'MQTT_WS_PORT']);
    const byVar = Object.fromEntries(e.problems.map((p) => [p.variable, p.message]));
    // what came is quoted as it was written in the environment
    assert.match(byVar.MQTT_PORT, /65535.*got "70000"/);
    assert.match(byVar.API_PORT, /whole number.*got "-1"/);
  });

  it('other bad values: boolean spelling, log level, short admin key, http URL for INFLUX_URL, batch size 0, bad client id', () => {
    const e = configError({ MQTT_ALLOW_ANONYMOUS: 'TRUE', LOG_LEVEL: 'info', ADMIN_API_KEY: 'short', INFLUX_URL: 'influx:8086', INFLUX_BATCH_SIZE: '0', INGEST_CLIENT_ID: 'has space' });
    assert.deepEqual(e.problems.map((p) => p.variable).sort(), ['ADMIN_API_KEY', 'INFLUX_BATCH_SIZE', 'INFLUX_URL', 'INGEST_CLIENT_ID', 'LOG_LEVEL', 'MQTT_ALLOW_ANONYMOUS']);
    const byVar = Object.fromEntries(e.problems.map((p) => [p.variable, p.message]));
    assert.match(byVar.ADMIN_API_KEY, /length ≥ 16, got "short"/);
    assert.match(byVar.LOG_LEVEL, /got "info"/);
    assert.match(byVar.INFLUX_URL, /http: or https:/);
  });

  it('bad RULES_* values, each named', () => {
    const e = configError({ RULES_CLIENT_ID: 'has space', RULES_PORT: '70000', RULES_LATENESS_S: 'soon', RULES_SNAPSHOT_S: '0', RULES_CATCHUP_S: '3601' });
    assert.deepEqual(e.problems.map((p) => p.variable).sort(), ['RULES_CATCHUP_S', 'RULES_CLIENT_ID', 'RULES_LATENESS_S', 'RULES_PORT', 'RULES_SNAPSHOT_S']);
    const byVar = Object.fromEntries(e.problems.map((p) => [p.variable, p.message]));
    assert.match(byVar.RULES_CLIENT_ID, /an MQTT client id, got "has space"/);
    assert.match(byVar.RULES_LATENESS_S, /number.*got "soon"/);
    assert.match(byVar.RULES_SNAPSHOT_S, /1.*got "0"/);
    assert.match(byVar.RULES_CATCHUP_S, /3600.*got "3601"/);
  });

  it('an empty variable means unset: the default applies (VAR= in a .env or compose file)', () => {
    const config = loadAppConfig({ INFLUX_DB: '', DATA_DIR: '', MQTT_PORT: '' });
    assert.equal(config.influx.database, 'greenwatch');
    assert.equal(config.dataDir, './var');
    assert.equal(config.mqtt.port, 1883);
  });
});

describe('logLevelsFor', () => {
  it('gives the configured level and every level above it', () => {
    assert.deepEqual(logLevelsFor('error'), ['error']);
    assert.deepEqual(logLevelsFor('log'), ['error', 'warn', 'log']);
    assert.deepEqual(logLevelsFor('verbose'), ['error', 'warn', 'log', 'debug', 'verbose']);
  });
});
