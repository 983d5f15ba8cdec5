import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEVICE_TYPES } from '#contracts';
import { MEASUREMENTS } from '#storage';
import { ScenarioRun, communityDocument, defaultStart, loadScenario, provisionDevices, replay } from '#sim';
import { type TestInflux, TestPipeline, countByDevice, readPoints, startTestInflux, tempDir, waitFor } from './support/index.js';

/**
 * P2 acceptance: the demo day replayed at max speed, every device on its own authenticated
 * connection, through the real embedded broker and the real ingest into a real InfluxDB, stores
 * exactly the planned number of points per device.
 */
let influx: TestInflux;
before(async () => {
  influx = await startTestInflux();
});
after(async () => {
  await influx?.stop();
});

describe('demo through the real pipeline', () => {
  it('stores exactly the points each device published, with its own credentials, at max speed', async () => {
    const scenario = await loadScenario('demo');
    const communities = await tempDir('greenwatch-sim-communities-');
    await writeFile(join(communities.path, 'demo.yaml'), communityDocument(scenario));
    const pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_sim_demo', communityConfigDir: communities.path });
    try {
      // Yesterday in Shanghai: every ts is in the past, as ingest requires.
      const run = new ScenarioRun(scenario, { start: defaultStart(scenario.community.timezone, scenario.durationMs), seed: 1 });
      const expected = new Map<string, number>();
      for (const step of run.steps()) if (step.kind === 'publish') expected.set(run.devices[step.device].deviceId, (expected.get(run.devices[step.device].deviceId) ?? 0) + 1);
      const credentials = await provisionDevices(run.devices, pipeline.config.dataDir);
      const result = await replay(run, { url: pipeline.mqttUrl, speed: 'max', qos: 1, credentials });
      assert.equal(result.errors, 0, result.lastError);
      assert.equal(result.acknowledged, result.published);
      assert.equal(result.drops, 1, 'the gate_offline incident drops one connection');
      assert.deepEqual(Object.fromEntries(result.perDevice), Object.fromEntries(expected));

      const connection = influx.connection('gw_sim_demo');
      const total = [...expected.values()].reduce((a, b) => a + b, 0);
      const measurements = [...DEVICE_TYPES, MEASUREMENTS.event, MEASUREMENTS.status];
      // Every planned message carries a seq; the broker's last will does not, so it is not counted here.
      const counts = await waitFor(
        () => countByDevice(connection, measurements, 'seq'),
        (c) => [...c.values()].reduce((a, b) => a + b, 0) >= total,
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      assert.deepEqual(Object.fromEntries([...counts].sort()), Object.fromEntries([...expected].sort()), 'points per device');

      const wills = await waitFor(
        () => readPoints(connection, MEASUREMENTS.status, `"device" = 'gate-c2-back' AND "online" = false`),
        (rows) => rows.length > 0,
        { timeoutMs: 10_000 },
      );
      assert.equal(wills.length, 1, "the dropped gate's last will is stored as its status");
      const noise = await readPoints(connection, 'noise', `"device" = 'n-01'`);
      assert.ok(noise.every((row) => row.zone === '1' && row.compound === 'c1'), 'tags from the community configuration');
    } finally {
      await pipeline.stop();
      await communities.remove();
    }
  });
});
