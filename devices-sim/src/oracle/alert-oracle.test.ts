import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScenarioRun } from '../plan/scenario-run.js';
import { listScenarios, loadScenario } from '../scenario/catalogue.js';
import { predictAlerts } from './alert-oracle.js';
import { checkExpectations } from './expectations.js';

const START = Date.parse('2026-07-15T00:00:00+08:00');
const describeReport = (r: ReturnType<typeof checkExpectations>) =>
  JSON.stringify({ missing: r.missing.map((m) => `${m.rule}@${m.device} ${new Date(m.at).toISOString()}`), unexpected: r.unexpected.map((u) => `${u.rule}@${u.device} ${new Date(u.at).toISOString()}`) });

describe('declared alerts against the rule table (the simulator oracle)', () => {
  it('every shipped scenario causes exactly the alerts it declares, with the default seed', async () => {
    for (const scenario of await listScenarios()) {
      const run = new ScenarioRun(scenario, { start: START, seed: 1 });
      const report = checkExpectations(run);
      assert.deepEqual([report.missing.length, report.unexpected.length], [0, 0], `${scenario.name}: ${describeReport(report)}`);
      assert.equal(report.matched.length, run.expected.length);
    }
  });

  it('demo and quiet-day hold for other seeds and another season too', async () => {
    for (const name of ['demo', 'quiet-day']) {
      const scenario = await loadScenario(name);
      for (const [start, seed] of [[START, 2], [Date.parse('2026-01-10T00:00:00+08:00'), 3]] as const) {
        const report = checkExpectations(new ScenarioRun(scenario, { start, seed }));
        assert.deepEqual([report.missing.length, report.unexpected.length], [0, 0], `${name} seed ${seed}: ${describeReport(report)}`);
      }
    }
  });

  it('can fail: a scenario whose incidents are removed misses every declared alert', async () => {
    const demo = await loadScenario('demo');
    const run = new ScenarioRun(demo, { start: START, seed: 1 });
    const quiet = new ScenarioRun({ ...demo, incidents: [] }, { start: START, seed: 1 });
    const report = checkExpectations(run, predictAlerts(quiet, quiet.steps()));
    assert.equal(report.missing.length, run.expected.length);
    assert.equal(report.unexpected.length, 0);
  });

  it('flags a community without all four bin categories (waste.sorting_coverage)', async () => {
    const quiet = await loadScenario('quiet-day');
    const noHazardous = { ...quiet, community: { ...quiet.community, devices: quiet.community.devices.filter((d) => d.id !== 'b-c2-hazardous') } };
    const alerts = predictAlerts(new ScenarioRun(noHazardous, { start: START, seed: 1, durationMs: 3_600_000 }));
    assert.deepEqual(alerts.map((a) => [a.rule, a.device]), [['waste.sorting_coverage', 'c2']]);
  });
});
