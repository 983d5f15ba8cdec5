import { parseArgs } from 'node:util';
import { RFC3339 } from '#contracts';
import { parseDuration } from './durations.js';

export const HELP = `greenwatch device simulators

Usage:
  npm run sim -- run <scenario> [options]    replay a scenario against an MQTT broker
  npm run sim -- list                        list the shipped scenarios
  npm run sim -- expect <scenario> [options] print the alerts a scenario declares (JSON lines, absolute
                                             times) and check them against the simulator's own reading
                                             of the rule table
  npm run sim -- plan <scenario> [options]   print every message the run would publish (JSON lines),
                                             without connecting: a dry run, and a determinism check
  npm run sim -- load [options]              steady synthetic load for benchmarks
  npm run sim -- help                        this text

<scenario> is a name from \`list\` (devices-sim/scenarios/<name>.yaml) or a path to a scenario file:
a community configuration (shared/design/contract.md) plus \`scenario:\` and \`incidents:\`.

Options of run, expect and plan:
  --start <RFC 3339>   virtual start, e.g. 2026-07-15T00:00:00+08:00; day 0 of the scenario is its local
                       date. Default: local midnight N days ago in the community's time zone, where N is
                       the scenario's length in days, so the whole run lies in the past (ingest rejects
                       a ts more than 5 minutes ahead). With --speed 1 or slower the default is now.
  --speed <f|max>      virtual seconds per wall second (1 = real time, 60 = an hour a minute), or max: as
                       fast as each connection's QoS 1 window allows. Default: max.
  --seed <text>        seed of the random streams; the same scenario, start and seed publish the same
                       messages. Default: 1.
  --duration <d>       replay only the first part, e.g. 6h (incidents after it are left out).
Options of run:
  --mqtt-url <url>     broker. Default: MQTT_URL (mqtt://127.0.0.1:1883).
  --data-dir <dir>     where device secrets are issued: <dir>/device-secrets.json, the file the embedded
                       broker checks. Each device then logs in with username = its id, password = its
                       new secret, on its own connection. Default: DATA_DIR (./var).
  --anonymous          connect every device without credentials (a broker with MQTT_ALLOW_ANONYMOUS=true
                       or mosquitto with allow_anonymous); nothing is issued.
  --username <u>       connect every device with this one account instead (a development broker with a
  --password <p>       single user); nothing is issued.
  --qos <0|1>          QoS of telemetry and events (status is always QoS 1, retained). Default: 1.
  --window <n>         unacknowledged publishes per device connection. Default: 32.
Options of load:
  --devices <n>        simulated devices, cycling through the six types. Default: 1000.
  --rate <r|max>       messages per second, all devices together, or max: as fast as each connection's
                       window allows. Default: 1000.
  --duration <s>       seconds of sending (then it waits for the last acknowledgements). Default: 10.
  --connections <c>    MQTT connections the devices share. Default: 4.
  --qos <0|1>          Default: 1.
  --window <n>         unacknowledged publishes per connection. Default: 256.
  --mqtt-url <url>     Default: MQTT_URL.
  --username <u>       account of the connections (they carry many devices' topics, so device accounts
  --password <p>       will not do). Default: MQTT_USERNAME / MQTT_PASSWORD; empty: anonymous.
  --anonymous          connect without credentials whatever MQTT_USERNAME says.
  --community <id>     community id in the topics. Default: load.
  A progress line goes to stderr; the summary (sent, acknowledged, achieved rate, latency, errors)
  to stdout.

Environment (as every greenwatch app): MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD, DATA_DIR.
`;

export class UsageError extends Error {}

export interface CliOptions {
  command: 'run' | 'list' | 'expect' | 'plan' | 'load' | 'help';
  scenario?: string;
  start?: number;
  speed: number | 'max';
  seed: string;
  durationMs?: number;
  mqttUrl?: string;
  dataDir?: string;
  anonymous: boolean;
  username?: string;
  password?: string;
  qos: 0 | 1;
  window?: number;
  devices: number;
  /** Messages per second of load; 0 = max. */
  rate: number;
  loadDurationS: number;
  connections: number;
  community?: string;
}

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        start: { type: 'string' },
        speed: { type: 'string' },
        seed: { type: 'string' },
        duration: { type: 'string' },
        'mqtt-url': { type: 'string' },
        'data-dir': { type: 'string' },
        anonymous: { type: 'boolean' },
        username: { type: 'string' },
        password: { type: 'string' },
        qos: { type: 'string' },
        window: { type: 'string' },
        devices: { type: 'string' },
        rate: { type: 'string' },
        connections: { type: 'string' },
        community: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values: v, positionals } = parsed;
  const command = (v.help ? 'help' : (positionals[0] ?? 'help')) as CliOptions['command'];
  if (!['run', 'list', 'expect', 'plan', 'load', 'help'].includes(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}: expected run, list, expect, plan, load or help`);
  const needsScenario = command === 'run' || command === 'expect' || command === 'plan';
  if (needsScenario && !positionals[1]) throw new UsageError(`${command}: expected a scenario name or file (see \`npm run sim -- list\`)`);
  if (positionals.length > (needsScenario ? 2 : 1)) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[needsScenario ? 2 : 1])}`);
  const number = (name: string, text: string | undefined, fallback: number, min: number, integer = true, or = '') => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new UsageError(`--${name}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}${or}, got ${JSON.stringify(text)}`);
    return n;
  };
  let start: number | undefined;
  if (v.start !== undefined) {
    if (!RFC3339.test(v.start)) throw new UsageError(`--start: expected an RFC 3339 time with offset such as 2026-07-15T00:00:00+08:00, got ${JSON.stringify(v.start)}`);
    start = Date.parse(v.start);
  }
  let speed: number | 'max' = 'max';
  if (v.speed !== undefined && v.speed !== 'max') speed = number('speed', v.speed, 1, Number.MIN_VALUE, false);
  if (v.qos !== undefined && v.qos !== '0' && v.qos !== '1') throw new UsageError(`--qos: expected 0 or 1, got ${JSON.stringify(v.qos)}`);
  if ((v.username === undefined) !== (v.password === undefined)) throw new UsageError('--username and --password go together');
  if (v.anonymous && v.username !== undefined) throw new UsageError('--anonymous and --username exclude each other');
  let durationMs: number | undefined;
  let loadDurationS = 10;
  if (v.duration !== undefined) {
    if (command === 'load') loadDurationS = number('duration', v.duration, 10, 0.1, false);
    else {
      try {
        durationMs = parseDuration(v.duration);
      } catch (error) {
        throw new UsageError(`--duration: ${(error as Error).message}`);
      }
    }
  }
  const options: CliOptions = {
    command,
    speed,
    seed: v.seed ?? '1',
    anonymous: v.anonymous ?? false,
    qos: v.qos === '0' ? 0 : 1,
    devices: number('devices', v.devices, 1000, 1),
    rate: v.rate === 'max' ? 0 : number('rate', v.rate, 1000, 0.001, false, ' or max'),
    loadDurationS,
    connections: number('connections', v.connections, 4, 1),
  };
  if (needsScenario) options.scenario = positionals[1];
  if (start !== undefined) options.start = start;
  if (durationMs !== undefined) options.durationMs = durationMs;
  if (v['mqtt-url'] !== undefined) options.mqttUrl = v['mqtt-url'];
  if (v['data-dir'] !== undefined) options.dataDir = v['data-dir'];
  if (v.username !== undefined) options.username = v.username;
  if (v.password !== undefined) options.password = v.password;
  if (v.window !== undefined) options.window = number('window', v.window, 32, 1);
  if (v.community !== undefined) options.community = v.community;
  return options;
}
