import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Alert } from '#contracts';
import { ScenarioRun, type ScenarioFile, communityDocument, listScenarios } from '#sim';
import { type TestInflux, TestPipeline, startTestInflux, tempDir, waitFor } from './support/index.js';
import { compareAlerts, describeComparison } from './support/scen-alerts.js';
import { RulesUnderTest, alertContractProblems, publishedTransitions, replayThroughRules, storedTransitions } from './support/scen-rules.js';

/**
 * P3 acceptance, end to end: every shipped scenario (P2) replayed at max speed in virtual time by
 * the simulator library, each device on its own authenticated connection, through the real
 * embedded broker (aedes), the real ingest and a real InfluxDB, into the real rules app. Each
 * scenario must cause exactly the alerts its incidents declare (rule, device, raise time within
 * the declared tolerance) and no others, on gc/{c}/alerts in the contract's format and in the
 * `alert` measurement; quiet-day causes none. Then `demo` again, in a pipeline of its own, with
 * the rules service stopped half-way and started again while the devices keep publishing: the
 * same alerts (rule, device, alertId, severity, raise and clear times) as the uninterrupted run.
 *
 * `month` (30 days, ~half a million messages) is not replayed here: it is too long for CI. The
 * rules engine alone runs it in rules-scenarios-engine.test.ts.
 *
 * The start is fixed in the past (ingest refuses `ts` in the future), on the date and seed the
 * simulator's oracle checks every scenario with, so the test does not depend on today's weekday.
 */
export const START = Date.parse('2026-07-15T00:00:00+08:00');
export const SEED = 1;

let influx: TestInflux;
let pipeline: TestPipeline;
let rules: RulesUnderTest;
let communities: { path: string; remove(): Promise<void> };
let scenarios: ScenarioFile[];
/** The demo's alerts from the uninterrupted run, for the restart test. */
let demoUninterrupted: Alert[] | undefined;

before(async () => {
  scenarios = (await listScenarios()).filter((s) => s.name !== 'month');
  communities = await tempDir('greenwatch-scen-communities-');
  for (const s of scenarios) await writeFile(join(communities.path, `${s.community.id}.yaml`), communityDocument(s));
  influx = await startTestInflux();
  pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_scen', communityConfigDir: communities.path, ingestProcess: process.env.SCEN_INGEST_INPROC ? false : true });
  rules = await RulesUnderTest.start(pipeline);
});
after(async () => {
  await rules?.stop();
  await pipeline?.stop();
  await influx?.stop();
  await communities?.remove();
});

describe('shipped scenarios through broker, ingest, InfluxDB and the rules app', () => {
  for (const name of ['quiet-day', 'demo', 'night-party', 'construction-at-night', 'bin-overflow', 'gate-break-in', 'gas-leak', 'water-leak']) {
    it(`${name}: exactly the declared alerts`, async () => {
      const scenario = scenarios.find((s) => s.name === name);
      assert.ok(scenario, `scenario ${name} is shipped`);
      const run = new ScenarioRun(scenario, { start: START, seed: SEED });
      const communityId = scenario.community.id;
      const first = rules.received.length;
      await replayThroughRules(rules, run);
      await rules.settled();
      const alerts = rules.received.slice(first);
      if (name === 'demo') demoUninterrupted = alerts;
      assert.ok(alerts.every((a) => a.communityId === communityId), 'only this community alerts');

      const comparison = compareAlerts(run.expected, alerts);
      assert.deepEqual([comparison.missing.length, comparison.unexpected.length], [0, 0], describeComparison(comparison, scenario.community.timezone));
      assert.equal(comparison.matched.length, run.expected.length);
      if (name === 'quiet-day') assert.equal(alerts.length, 0, 'quiet-day publishes nothing at all');
      else assert.ok(run.expected.length > 0);

      for (const a of alerts) assert.deepEqual(alertContractProblems(a), [], JSON.stringify(a));
      assert.deepEqual(await storedTransitions(influx.connection('gw_scen'), communityId, alerts.length), publishedTransitions(alerts), 'the `alert` measurement holds what was published');
    });
  }
});

describe('demo with the rules service restarted half-way', () => {
  it('gives the same alerts as the uninterrupted run, judging the backlog devices sent while it was down', async () => {
    const demo = scenarios.find((s) => s.name === 'demo')!;
    const run = () => new ScenarioRun(demo, { start: START, seed: SEED });
    if (!demoUninterrupted) {
      // this test run alone: the uninterrupted run first, in the shared pipeline
      const first = rules.received.length;
      await replayThroughRules(rules, run());
      await rules.settled();
      demoUninterrupted = rules.received.slice(first);
    }
    const own = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_scen_restart', communityConfigDir: communities.path, ingestProcess: true, env: { LOG_LEVEL: process.env.SCEN_LOG_LEVEL ?? 'error' } });
    const restarted = await RulesUnderTest.start(own, { clientId: 'greenwatch-rules-restart', catchUpTimeoutMs: 60_000 });
    try {
      const halfway = START + 12 * 3_600_000;
      const downtime = { from: 0, to: 0 };
      let restart: Promise<void> | undefined;
      let holding: Promise<void> | undefined;
      let paused: () => void = () => {};
      let backlog = 0;
      let now = START;
      const replayed = await replayThroughRules(restarted, run(), {
        onProgress: (virtualTs) => {
          now = virtualTs;
          if (restart || virtualTs < halfway) return;
          downtime.from = virtualTs;
          restart = (async () => {
            // Down: the devices keep publishing; their messages wait in the broker for the persistent session.
            await restarted.stopApp();
            const inBefore = restarted.messagesIn();
            await waitFor(async () => now, (t) => t >= downtime.from + 2 * 3_600_000, { timeoutMs: 30_000, intervalMs: 5 });
            // Hold the devices while the service starts again (see the comment below), then let them go on.
            let release: () => void = () => {};
            const reached = new Promise<void>((resolve) => (paused = resolve));
            holding = new Promise<void>((resolve) => (release = resolve));
            await reached;
            await restarted.startApp();
            const engine = restarted.engine;
            await waitFor(async () => engine.catchingUp, (c) => !c, { timeoutMs: 30_000, intervalMs: 10 });
            downtime.to = engine.clockOf('demo') ?? 0;
            backlog = restarted.messagesIn() - inBefore;
            holding = undefined;
            release();
          })();
        },
        pause: () => holding,
        onPaused: () => paused(),
        pending: () => restart,
      });
      assert.ok(restart, 'the replay reached half-way');
      await restart;
      const engine = restarted.engine;
      assert.equal(engine.catchingUp, false, `the catch-up ended with the resume barrier, not its timeout (waiting for ${JSON.stringify(engine.gaps())})`);
      // Hours of virtual time went by while the service was down: all of it came from the broker's queue.
      assert.ok(downtime.to - downtime.from >= 2 * 3_600_000 && backlog > 2000, `down from ${new Date(downtime.from).toISOString()} to ${new Date(downtime.to).toISOString()}, backlog ${backlog}`);
      assert.equal(engine.stats.late, 0, 'nothing of the backlog was late');
      assert.ok(replayed.published > 0);
      await restarted.settled();

      const key = (a: Alert) => `${a.state} ${a.rule} ${a.deviceId ?? a.compoundId} ${a.severity} ${a.alertId} ${new Date(a.at).toISOString()}`;
      const during = restarted.received.filter((a) => a.at >= downtime.from && a.at < downtime.to).length;
      assert.ok(during > 0, 'alerts from the backlog');
      assert.deepEqual(restarted.received.map(key).sort(), demoUninterrupted.map(key).sort());
      assert.deepEqual(await storedTransitions(influx.connection('gw_scen_restart'), 'demo', restarted.received.length), publishedTransitions(restarted.received), 'stored as published');
    } finally {
      await restarted.stop();
      await own.stop();
    }
  });
});
