import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScenarioRun, listScenarios } from '#sim';
import { compareAlerts, describeComparison, runEngineOver } from './support/scen-alerts.js';

/**
 * The rules engine alone (no broker, no ingest, no InfluxDB) over every shipped scenario,
 * `month` included: thirty days, about half a million messages, in a few seconds. The same
 * declared alerts as rules-scenarios.test.ts checks end to end, and nothing else. Start and seed
 * as there (and as the simulator's oracle test).
 */
const START = Date.parse('2026-07-15T00:00:00+08:00');

describe('the rules engine over every shipped scenario, month included', () => {
  it('each causes exactly its declared alerts; quiet-day none', async () => {
    const scenarios = await listScenarios();
    assert.ok(scenarios.some((s) => s.name === 'month'));
    for (const scenario of scenarios) {
      const run = new ScenarioRun(scenario, { start: START, seed: 1 });
      const alerts = runEngineOver(run);
      const comparison = compareAlerts(run.expected, alerts);
      assert.deepEqual([comparison.missing.length, comparison.unexpected.length], [0, 0], `${scenario.name}: ${describeComparison(comparison, scenario.community.timezone)}`);
      if (scenario.name === 'quiet-day') assert.deepEqual(alerts, []);
      else assert.ok(run.expected.length > 0 && comparison.matched.length === run.expected.length, scenario.name);
    }
  });

  it('can fail: without its incidents, demo misses every declared alert', async () => {
    const demo = (await listScenarios()).find((s) => s.name === 'demo')!;
    const run = new ScenarioRun(demo, { start: START, seed: 1 });
    const quiet = new ScenarioRun({ ...demo, incidents: [] }, { start: START, seed: 1 });
    const comparison = compareAlerts(run.expected, runEngineOver(quiet));
    assert.equal(comparison.missing.length, run.expected.length);
    assert.deepEqual(comparison.unexpected, []);
  });
});
