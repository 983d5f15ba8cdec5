/**
 * The simulator's own sustained publish rate, with no ingest: an in-process aedes broker that
 * accepts everyone, the simulator publishing to it over loopback TCP.
 *   npm run build && node dist/devices-sim/src/bench-sim.js [--devices 200] [--load-seconds 5]
 * It prints numbers; nothing here is a timed assertion. The broker shares this process (and its
 * CPU) with the simulator, so the numbers are a floor for a broker running elsewhere.
 */
import { type AddressInfo, createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';
import { runLoad } from './load/load-generator.js';
import { ScenarioRun } from './plan/scenario-run.js';
import { syntheticCommunity } from './plan/synthetic-community.js';
import { anonymousDevices } from './publish/provision.js';
import { replay } from './publish/replay.js';
import { loadScenario } from './scenario/catalogue.js';

const { values } = parseArgs({ options: { devices: { type: 'string', default: '200' }, 'load-seconds': { type: 'string', default: '5' } } });
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
const start = Date.parse('2026-07-15T00:00:00+08:00');
const rows: string[] = [];
const row = (what: string, messages: number, ms: number, extra = '') => {
  const line = `${what.padEnd(58)} ${String(messages).padStart(8)} msgs ${(ms / 1000).toFixed(2).padStart(7)} s ${String(Math.round(messages / (ms / 1000))).padStart(7)} msg/s${extra}`;
  rows.push(line);
  process.stdout.write(`${line}\n`);
};

try {
  const synthetic = syntheticCommunity(Number(values.devices));
  // Planning alone (models + JSON), the ceiling of any replay.
  let t = performance.now();
  let planned = 0;
  for (const _ of new ScenarioRun(synthetic, { start, seed: 1 }).steps()) planned++;
  row(`plan only: 1 day, ${synthetic.community.devices.length} devices`, planned, performance.now() - t);
  for (const qos of [0, 1] as const) {
    for (const [name, scenario] of [['demo', await loadScenario('demo')], [`synthetic ${synthetic.community.devices.length}`, synthetic]] as const) {
      t = performance.now();
      const result = await replay(new ScenarioRun(scenario, { start, seed: 1 }), { url, speed: 'max', qos, credentials: anonymousDevices });
      row(`replay at max, QoS ${qos}: 1 day of ${name} (${scenario.community.devices.length} connections)`, result.acknowledged, performance.now() - t, result.errors ? ` ${result.errors} errors` : '');
    }
  }
  for (const qos of [0, 1] as const) {
    const summary = await runLoad({ url, devices: 1000, rate: 0, durationS: Number(values['load-seconds']), qos, connections: 4 });
    row(`load, unbounded rate, QoS ${qos}: 1000 devices on 4 connections`, summary.acknowledged, summary.elapsedS * 1000, ` p50 ${summary.latencyMs.p50} ms p99 ${summary.latencyMs.p99} ms`);
  }
} finally {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  server.close();
}
