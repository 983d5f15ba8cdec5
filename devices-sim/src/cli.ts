#!/usr/bin/env node
import { type AppConfig, ConfigError, loadAppConfig } from '#config';
import { formatDuration } from './durations.js';
import { runLoad } from './load/load-generator.js';
import { checkExpectations } from './oracle/expectations.js';
import { ScenarioRun, defaultStart } from './plan/scenario-run.js';
import { anonymousDevices, provisionDevices, sharedAccount } from './publish/provision.js';
import { replay } from './publish/replay.js';
import { listScenarios, loadScenario } from './scenario/catalogue.js';
import { ScenarioError } from './scenario/scenario-file.js';
import { type CliOptions, HELP, UsageError, parseCli } from './cli-options.js';

/** `npm run sim -- …`: see HELP in cli-options.ts. Exit codes: 0 done, 1 failed, 2 bad usage or scenario. */
async function main(argv: string[]): Promise<number> {
  const options = parseCli(argv);
  switch (options.command) {
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case 'list':
      return list();
    case 'plan':
      return plan(options);
    case 'expect':
      return expect(options);
    case 'run':
      return run(options, config());
    case 'load':
      return load(options, config());
  }
}

function config(): AppConfig {
  return loadAppConfig();
}

async function list(): Promise<number> {
  for (const s of await listScenarios()) {
    const expected = s.incidents.reduce((n, i) => n + i.expect.length, 0);
    process.stdout.write(`${s.name.padEnd(24)} ${formatDuration(s.durationMs).padStart(4)}  ${String(s.community.devices.length).padStart(3)} devices  ${String(s.incidents.length).padStart(2)} incidents  ${String(expected).padStart(2)} alerts  ${s.description}\n`);
  }
  return 0;
}

async function scenarioRun(options: CliOptions): Promise<ScenarioRun> {
  const scenario = await loadScenario(options.scenario!);
  const durationMs = options.durationMs ?? scenario.durationMs;
  const realTime = options.speed !== 'max' && options.speed <= 1;
  const start = options.start ?? (realTime ? Date.now() : defaultStart(scenario.community.timezone, durationMs));
  return new ScenarioRun(scenario, { start, seed: options.seed, durationMs });
}

async function plan(options: CliOptions): Promise<number> {
  const run = await scenarioRun(options);
  // `plan demo | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));
  let buffer = '';
  for (const step of run.steps()) {
    const device = run.devices[step.device].deviceId;
    buffer += step.kind === 'publish' ? `{"topic":${JSON.stringify(step.topic)},"retain":${step.retain},"payload":${step.payload}}\n` : `{"${step.kind}":${JSON.stringify(device)},"ts":${step.ts}}\n`;
    if (buffer.length > 1 << 16) {
      if (!process.stdout.write(buffer)) await new Promise((r) => process.stdout.once('drain', r));
      buffer = '';
    }
  }
  process.stdout.write(buffer);
  return 0;
}

async function expect(options: CliOptions): Promise<number> {
  const run = await scenarioRun(options);
  for (const e of run.expected) process.stdout.write(`${JSON.stringify({ rule: e.rule, device: e.device, at: new Date(e.at).toISOString(), toleranceMs: e.toleranceMs, cause: e.cause })}\n`);
  const report = checkExpectations(run);
  for (const m of report.missing) process.stderr.write(`not caused: ${m.rule} on ${m.device} at ${new Date(m.at).toISOString()} (${m.cause})\n`);
  for (const u of report.unexpected) process.stderr.write(`caused but not declared: ${u.rule} on ${u.device} at ${new Date(u.at).toISOString()}\n`);
  process.stderr.write(`${report.matched.length} declared alerts, ${report.missing.length} not caused, ${report.unexpected.length} undeclared (the simulator's reading of criteria.md)\n`);
  return report.missing.length || report.unexpected.length ? 1 : 0;
}

async function run(options: CliOptions, app: AppConfig): Promise<number> {
  const scenarioRunning = await scenarioRun(options);
  const url = options.mqttUrl ?? app.mqtt.url;
  const dataDir = options.dataDir ?? app.dataDir;
  const credentials = options.anonymous ? anonymousDevices : options.username !== undefined ? sharedAccount(options.username, options.password!) : await provisionDevices(scenarioRunning.devices, dataDir);
  const zone = scenarioRunning.scenario.community.timezone;
  const localTime = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short', timeStyle: 'short' });
  process.stderr.write(
    `${scenarioRunning.scenario.name}: ${scenarioRunning.devices.length} devices, ${localTime.format(scenarioRunning.start)} to ${localTime.format(scenarioRunning.end)} (${zone}), speed ${options.speed}, seed ${options.seed}, QoS ${options.qos}, ${url}` +
      `${options.anonymous ? ', anonymous' : options.username !== undefined ? `, as ${options.username}` : `, secrets issued into ${dataDir}/device-secrets.json`}\n`,
  );
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const result = await replay(scenarioRunning, {
    url,
    speed: options.speed,
    qos: options.qos,
    credentials,
    ...(options.window ? { window: options.window } : {}),
    onProgress: (p) => {
      const line = `virtual ${localTime.format(p.virtualTs)} · ${p.published} published · ${p.acknowledged} acknowledged · ${Math.round(p.acknowledged / Math.max(0.001, p.wallMs / 1000))} msg/s · ${p.errors} errors`;
      if (tty) process.stderr.write(`\r${line}\u001b[K`);
      else if (p.wallMs - lastLine >= 5000) {
        lastLine = p.wallMs;
        process.stderr.write(`${line}\n`);
      }
    },
  });
  if (tty) process.stderr.write('\n');
  const seconds = result.wallMs / 1000;
  process.stdout.write(
    `published ${result.published}, acknowledged ${result.acknowledged}, errors ${result.errors}${result.lastError ? ` (last: ${result.lastError})` : ''}, ` +
      `${result.drops} connections dropped on purpose, ${seconds.toFixed(1)} s, ${Math.round(result.acknowledged / seconds)} msg/s; ` +
      `${scenarioRunning.expected.length} alerts expected (\`npm run sim -- expect ${options.scenario}\` lists them)\n`,
  );
  return result.errors ? 1 : 0;
}

async function load(options: CliOptions, app: AppConfig): Promise<number> {
  const url = options.mqttUrl ?? app.mqtt.url;
  const username = options.anonymous ? undefined : (options.username ?? (app.mqtt.username || undefined));
  const password = options.anonymous ? undefined : (options.password ?? (app.mqtt.password || undefined));
  process.stderr.write(`load: ${options.devices} devices over ${options.connections} connections, ${options.rate || 'max'} msg/s for ${options.loadDurationS} s, QoS ${options.qos}, ${url}${username ? ` as ${username}` : ', anonymous'}\n`);
  const tty = process.stderr.isTTY;
  const summary = await runLoad({
    url,
    devices: options.devices,
    rate: options.rate,
    durationS: options.loadDurationS,
    qos: options.qos,
    connections: options.connections,
    ...(username !== undefined ? { username, password } : {}),
    ...(options.community ? { communityId: options.community } : {}),
    ...(options.window ? { window: options.window } : {}),
    seed: options.seed,
    onProgress: (p) => {
      const line = `${p.elapsedS.toFixed(1)} s · sent ${p.sent} · acknowledged ${p.acknowledged} · ${Math.round(p.acknowledged / Math.max(0.001, p.elapsedS))} msg/s · behind ${p.behind} · errors ${p.errors}`;
      process.stderr.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
    },
  });
  if (tty) process.stderr.write('\n');
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.errors ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`sim: ${error.message}\nRun \`npm run sim -- --help\` for the options.\n`);
    else if (error instanceof ScenarioError || error instanceof ConfigError) process.stderr.write(`sim: ${error.message}\n`);
    else process.stderr.write(`sim: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof UsageError || error instanceof ScenarioError || error instanceof ConfigError ? 2 : 1;
  },
);
