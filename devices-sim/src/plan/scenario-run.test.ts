import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { MAX_PAYLOAD_BYTES, validateDeviceMessage } from '#contracts';
import { listScenarios, loadScenario } from '../scenario/catalogue.js';
import { LAST_WILL_PAYLOAD } from './device-plan.js';
import { ScenarioRun, defaultStart } from './scenario-run.js';

const START = Date.parse('2026-07-15T00:00:00+08:00');
const SIX_HOURS = 6 * 3_600_000;

function digest(run: ScenarioRun): { hash: string; count: number } {
  const hash = createHash('sha256');
  let count = 0;
  for (const step of run.steps()) {
    hash.update(step.kind === 'publish' ? `${step.topic}\u0000${step.retain}\u0000${step.payload}\n` : `${step.kind}\u0000${step.device}\u0000${step.ts}\n`);
    count++;
  }
  return { hash: hash.digest('hex'), count };
}

describe('planned runs', () => {
  it('publish byte-identical messages for the same scenario, start and seed, and different ones for another seed', async () => {
    const demo = await loadScenario('demo');
    const a = digest(new ScenarioRun(demo, { start: START, seed: 7 }));
    const b = digest(new ScenarioRun(demo, { start: START, seed: 7 }));
    const c = digest(new ScenarioRun(demo, { start: START, seed: 8 }));
    assert.ok(a.count > 30_000, `a lively day has tens of thousands of messages, got ${a.count}`);
    assert.deepEqual(a, b);
    assert.notEqual(a.hash, c.hash);
  });

  it("give each device its own random stream: removing a device leaves the others' messages unchanged", async () => {
    const demo = await loadScenario('demo');
    const fewer = { ...demo, community: { ...demo.community, devices: demo.community.devices.filter((d) => d.id !== 'n-03') } };
    const full = new ScenarioRun(demo, { start: START, seed: 3, durationMs: SIX_HOURS });
    const reduced = new ScenarioRun(fewer, { start: START, seed: 3, durationMs: SIX_HOURS });
    const payloads = (run: ScenarioRun, id: string) => [...run.deviceSteps(run.devices.find((d) => d.deviceId === id)!)].map((s) => (s.kind === 'publish' ? s.payload : s.kind));
    assert.deepEqual(payloads(reduced, 'n-04'), payloads(full, 'n-04'));
  });

  it('merge every device in virtual-time order with strictly increasing ts and seq per device', async () => {
    const run = new ScenarioRun(await loadScenario('demo'), { start: START, seed: 1 });
    let previous = -Infinity;
    const last = new Map<number, { ts: number; seq: number }>();
    for (const step of run.steps()) {
      assert.ok(step.ts >= previous, 'global order');
      previous = step.ts;
      assert.ok(step.ts >= run.start && step.ts < run.end + 60_000, 'inside the run');
      if (step.kind !== 'publish') continue;
      const { ts, seq } = JSON.parse(step.payload) as { ts: number; seq: number };
      const before = last.get(step.device);
      if (before) assert.ok(ts > before.ts && seq === before.seq + 1, `${run.devices[step.device].deviceId}: ts ${ts} after ${before.ts}, seq ${seq} after ${before.seq}`);
      last.set(step.device, { ts, seq });
    }
    assert.equal(last.size, run.devices.length, 'every device publishes');
  });

  it('produce only payloads that pass the contract validation, in every shipped scenario', async () => {
    for (const scenario of await listScenarios()) {
      // A month is validated for its first three days; the models do not change after that.
      const run = new ScenarioRun(scenario, { start: START, seed: 1, durationMs: Math.min(scenario.durationMs, 3 * 86_400_000) });
      let checked = 0;
      for (const step of run.steps()) {
        if (step.kind !== 'publish') continue;
        const bytes = Buffer.from(step.payload);
        assert.ok(bytes.byteLength <= MAX_PAYLOAD_BYTES);
        const result = validateDeviceMessage(step.topic, bytes, step.ts);
        assert.ok(result.ok, `${scenario.name}: ${step.topic} ${step.payload}: ${result.ok ? '' : result.reason}`);
        checked++;
      }
      assert.ok(checked > 1000, `${scenario.name}: ${checked} messages`);
    }
    const will = validateDeviceMessage('gc/demo/access_gate/gate-c1/status', Buffer.from(LAST_WILL_PAYLOAD), START);
    assert.ok(will.ok && will.message.fields.online === false);
  });

  it('resolve incidents and expected alerts in local time on the start date, and drop those outside the run', async () => {
    const party = await loadScenario('night-party');
    const run = new ScenarioRun(party, { start: START, seed: 1 });
    assert.equal(run.expected[0].at, Date.parse('2026-07-15T21:15:00+08:00'));
    assert.equal(run.incidents[0].start, Date.parse('2026-07-15T21:00:00+08:00'));
    const short = new ScenarioRun(party, { start: START, seed: 1, durationMs: SIX_HOURS });
    assert.deepEqual([short.incidents.length, short.expected.length], [0, 0]);
  });

  it('start by default at a local midnight such that the run ends before now', () => {
    const now = Date.parse('2026-07-15T10:30:00+08:00');
    assert.equal(defaultStart('Asia/Shanghai', 86_400_000, now), Date.parse('2026-07-14T00:00:00+08:00'));
    assert.equal(defaultStart('Asia/Shanghai', 30 * 86_400_000, now), Date.parse('2026-06-15T00:00:00+08:00'));
  });
});
