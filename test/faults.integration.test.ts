import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type MqttClient, connectAsync } from 'mqtt';
import { DEVICE_TYPES } from '#contracts';
import { MEASUREMENTS } from '#storage';
import { type TestDevice, type TestInflux, TestPipeline, communityYaml, startTestInflux, tempDir, testDevices, testMessage, waitFor } from './support/index.js';

/**
 * P5 acceptance: while devices publish with QoS 1, a fault strikes — InfluxDB killed (-9) and
 * restarted, the ingest killed (-9) and restarted, the broker restarted, the broker killed (-9)
 * and restarted. Afterwards what is stored equals what was published, one for one by device and
 * seq: nothing lost, nothing duplicated. Each test prints its row of the table for the issue note.
 */
const RATE_PER_DEVICE = 50; // messages per second per device
const SECONDS = 6;
const BASE_TS = Date.UTC(2026, 10, 3, 0, 0, 0);

let influx: TestInflux;
before(async () => {
  influx = await startTestInflux();
});
after(async () => {
  await influx?.stop();
});

interface RunResult {
  published: Map<string, number>;
}

/** Devices publish at a steady rate for SECONDS, each on its own connection; `fault` runs meanwhile. */
async function publishThrough(pipeline: TestPipeline, devices: TestDevice[], fault: () => Promise<void>): Promise<RunResult> {
  const clients: MqttClient[] = await Promise.all(
    devices.map((d) => connectAsync(pipeline.mqttUrl, { clientId: `fault-${d.deviceId}`, clean: false, reconnectPeriod: 200, connectTimeout: 5_000 })),
  );
  const published = new Map<string, number>();
  const acks: Promise<unknown>[] = [];
  const total = RATE_PER_DEVICE * SECONDS;
  const started = Date.now();
  const publishing = (async () => {
    for (let k = 0; k < total; k++) {
      // Paced by the wall clock, not by acknowledgements: a fault must not slow the devices down.
      const due = started + (k * 1000) / RATE_PER_DEVICE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      devices.forEach((d, i) => {
        const m = testMessage(d, k, BASE_TS);
        acks.push(clients[i].publishAsync(m.topic, m.payload, { qos: 1 }));
        published.set(d.deviceId, k + 1);
      });
    }
  })();
  await fault();
  await publishing;
  await Promise.all(acks); // every message acknowledged by the broker
  await Promise.all(clients.map((c) => c.endAsync()));
  return { published };
}

/** Count and distinct seq per device, over every measurement a test message lands in. */
async function storedByDevice(database: string): Promise<Map<string, { points: number; distinctSeq: number }>> {
  const connection = influx.connection(database);
  const out = new Map<string, { points: number; distinctSeq: number }>();
  for (const m of [...DEVICE_TYPES, MEASUREMENTS.event]) {
    const series = await connection.query(`SELECT count("seq") AS points FROM "${m}" GROUP BY "device"`);
    for (const s of series) {
      const entry = out.get(s.tags!.device) ?? { points: 0, distinctSeq: 0 };
      entry.points += Number(s.values[0][1]);
      out.set(s.tags!.device, entry);
    }
  }
  // seq is unique per device across its telemetry and events (testMessage numbers them together)
  for (const device of out.keys()) {
    let distinct = 0;
    for (const m of [...DEVICE_TYPES, MEASUREMENTS.event]) {
      const [s] = await connection.query(`SELECT count(distinct("seq")) FROM "${m}" WHERE "device" = '${device}'`);
      distinct += Number(s?.values[0][1] ?? 0);
    }
    out.get(device)!.distinctSeq = distinct;
  }
  return out;
}

async function assertOneForOne(fault: string, database: string, run: RunResult): Promise<void> {
  const expected = [...run.published.values()].reduce((a, b) => a + b, 0);
  const connection = influx.connection(database);
  await waitFor(
    async () => {
      let n = 0;
      for (const m of [...DEVICE_TYPES, MEASUREMENTS.event]) n += Number((await connection.query(`SELECT count("seq") FROM "${m}"`).catch(() => []))[0]?.values[0][1] ?? 0);
      return n;
    },
    (n) => n >= expected,
    { timeoutMs: 90_000, intervalMs: 250 },
  );
  const stored = await storedByDevice(database);
  let storedTotal = 0;
  let lost = 0;
  let duplicated = 0;
  for (const [device, count] of run.published) {
    const s = stored.get(device) ?? { points: 0, distinctSeq: 0 };
    storedTotal += s.points;
    lost += Math.max(0, count - s.distinctSeq);
    duplicated += s.points - s.distinctSeq;
  }
  console.log(`fault table | ${fault} | published ${expected} | stored ${storedTotal} | lost ${lost} | duplicated ${duplicated}`);
  assert.equal(lost, 0, `${fault}: readings lost`);
  assert.equal(duplicated, 0, `${fault}: readings duplicated`);
  assert.equal(storedTotal, expected, `${fault}: stored = published`);
  for (const [device, count] of run.published) assert.equal(stored.get(device)?.points, count, `${fault}: ${device}`);
}

async function configDir(communityId: string, devices: TestDevice[]): Promise<string> {
  const dir = await tempDir('greenwatch-communities-');
  await mkdir(dir.path, { recursive: true });
  await writeFile(join(dir.path, `${communityId}.yaml`), communityYaml(communityId, devices));
  return dir.path;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults while devices publish with QoS 1', () => {
  it('InfluxDB killed with -9 and restarted: nothing lost, nothing duplicated', async () => {
    const devices = testDevices('fa', 2);
    const pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_fault_influx', allowAnonymous: true, communityConfigDir: await configDir('fa', devices), env: { INFLUX_FLUSH_MS: '50' } });
    try {
      const run = await publishThrough(pipeline, devices, async () => {
        await sleep(1500);
        await influx.kill();
        await sleep(2000);
        await influx.restart();
      });
      await assertOneForOne('influxd kill -9 + restart', 'gw_fault_influx', run);
      const health = (await (await fetch(`${pipeline.ingestUrl}/health`)).json()) as { influx: { failedAttempts: number } };
      assert.ok(health.influx.failedAttempts > 0, 'the outage was seen (and retried) by the ingest');
    } finally {
      await pipeline.stop();
    }
  });

  it('ingest killed with -9 and restarted: nothing lost, nothing duplicated', async () => {
    const devices = testDevices('fb', 2);
    const pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_fault_ingest', allowAnonymous: true, ingestProcess: true, communityConfigDir: await configDir('fb', devices) });
    try {
      const run = await publishThrough(pipeline, devices, async () => {
        await sleep(1500);
        await pipeline.killIngest();
        await sleep(1500);
        await pipeline.startIngest();
      });
      await assertOneForOne('ingest kill -9 + restart', 'gw_fault_ingest', run);
    } finally {
      await pipeline.stop();
    }
  });

  it('broker restarted: nothing lost, nothing duplicated', async () => {
    const devices = testDevices('fc', 2);
    const pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_fault_broker', allowAnonymous: true, brokerPersistence: true, communityConfigDir: await configDir('fc', devices) });
    try {
      const run = await publishThrough(pipeline, devices, async () => {
        await sleep(1500);
        await pipeline.stopBroker();
        await sleep(1000);
        await pipeline.startBroker();
      });
      await assertOneForOne('broker restart', 'gw_fault_broker', run);
    } finally {
      await pipeline.stop();
    }
  });

  it('broker killed with -9 and restarted: nothing lost, nothing duplicated', async () => {
    const devices = testDevices('fd', 2);
    const pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_fault_broker_kill', allowAnonymous: true, brokerProcess: true, communityConfigDir: await configDir('fd', devices) });
    try {
      const run = await publishThrough(pipeline, devices, async () => {
        await sleep(1500);
        await pipeline.killBroker();
        await sleep(1000);
        await pipeline.startBroker();
      });
      await assertOneForOne('broker kill -9 + restart', 'gw_fault_broker_kill', run);
    } finally {
      await pipeline.stop();
    }
  });
});
