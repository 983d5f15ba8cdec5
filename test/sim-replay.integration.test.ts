import assert from 'node:assert/strict';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Aedes } from 'aedes';
import { type MqttClient, connectAsync } from 'mqtt';
import { ScenarioRun, type WallClock, anonymousDevices, loadScenario, replay, runLoad } from '#sim';

/**
 * The simulator against a real MQTT broker (aedes, in this process, no ingest): what it publishes
 * arrives, in each device's order, with the last will of a device whose connection is lost;
 * speed factors pace virtual time; load mode delivers what it counts.
 */
let broker: Aedes;
let server: Server;
let url: string;
let watcher: MqttClient;
let received: { topic: string; payload: string; retain: boolean }[] = [];

before(async () => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  watcher = await connectAsync(url, { clientId: 'sim-test-watcher', reconnectPeriod: 0 });
  watcher.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await watcher.subscribeAsync('gc/#', { qos: 1 });
});
after(async () => {
  await watcher?.endAsync();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  server?.close();
});

const START = Date.parse('2026-07-15T00:00:00+08:00');

describe('replay against a real broker', () => {
  it('delivers every planned message in each device order, and the last will of a dropped gate', async () => {
    received = [];
    const run = new ScenarioRun(await loadScenario('gate-break-in'), { start: START, seed: 5, durationMs: 4 * 3_600_000 });
    const planned = [...run.steps()];
    const result = await replay(run, { url, speed: 'max', qos: 1, credentials: anonymousDevices, window: 8 });
    assert.deepEqual([result.errors, result.drops], [0, 1]);
    const publishes = planned.filter((s) => s.kind === 'publish');
    const wills = () => received.filter((m) => m.payload === '{"online":false}');
    const deadline = Date.now() + 10_000;
    while (received.length < publishes.length + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const byTopic = (list: { topic: string; payload: string }[]) => {
      const map = new Map<string, string[]>();
      for (const m of list) if (m.payload !== '{"online":false}') map.set(m.topic.replace(/\/(telemetry|event|status)$/, ''), [...(map.get(m.topic.replace(/\/(telemetry|event|status)$/, '')) ?? []), m.payload]);
      return Object.fromEntries([...map].sort());
    };
    assert.deepEqual(byTopic(received), byTopic(publishes), 'every message, in order per device');
    assert.deepEqual(wills().map((m) => m.topic), ['gc/gates/access_gate/gate-west/status'], 'the broker published the will of the gate that lost its network, and only that one');
  });

  it('paces virtual time by the speed factor on an injected clock', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const clock: WallClock = { now: () => now, sleep: async (ms) => { sleeps.push(ms); now += ms; } };
    const run = new ScenarioRun(await loadScenario('quiet-day'), { start: START, seed: 1, durationMs: 2 * 3_600_000 });
    let lastTs = START;
    for (const step of run.steps()) lastTs = step.ts;
    const result = await replay(run, { url, speed: 3600, qos: 0, credentials: anonymousDevices, clock });
    assert.equal(result.errors, 0);
    // Two virtual hours at 3600× take two (fake) seconds, spent waiting between messages.
    assert.ok(Math.abs(now - (lastTs - START) / 3600) <= 3, `${now} ms for ${(lastTs - START) / 1000} virtual s`);
    assert.ok(sleeps.length > 100 && sleeps.every((ms) => ms > 2));
  });

  it('load mode sends steadily over few connections and counts what the broker acknowledged', async () => {
    received = [];
    const progress: number[] = [];
    const summary = await runLoad({ url, devices: 60, rate: 3000, durationS: 1, qos: 1, connections: 3, communityId: 'loadtest', onProgress: (p) => progress.push(p.sent) });
    assert.equal(summary.errors, 0);
    assert.equal(summary.acknowledged, summary.sent);
    assert.ok(summary.sent >= 2500 && summary.sent <= 3000, `sent ${summary.sent} of 3000 due`);
    const deadline = Date.now() + 10_000;
    while (received.filter((m) => m.topic.startsWith('gc/loadtest/')).length < summary.sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const got = received.filter((m) => m.topic.startsWith('gc/loadtest/'));
    assert.equal(got.length, summary.sent);
    assert.equal(new Set(got.map((m) => m.topic)).size, 60, 'every simulated device appears');
    assert.ok(progress.length >= 2, 'progress reported while running');
  });
});
