import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type MqttClient, connectAsync } from 'mqtt';
import { DEVICE_TYPES } from '#contracts';
import { MEASUREMENTS } from '#storage';
import {
  type ExpectedPoint,
  type TestDevice,
  type TestInflux,
  TestPipeline,
  communityYaml,
  countByDevice,
  diffPoints,
  readPoints,
  startTestInflux,
  startTestMosquitto,
  tempDir,
  testDevices,
  testMessage,
  waitFor,
} from './support/index.js';

/**
 * P1 acceptance: device messages through a real broker (aedes, or Debian's mosquitto) into a
 * real InfluxDB (Debian's influxd 1.x), checked point by point.
 */
const TOTAL = 10_000;
const BASE_TS = Date.UTC(2026, 10, 1, 0, 0, 0);

let influx: TestInflux;
before(async () => {
  influx = await startTestInflux();
});
after(async () => {
  await influx?.stop();
});

async function configDir(communityId: string, devices: TestDevice[]): Promise<string> {
  const dir = await tempDir('greenwatch-communities-');
  await mkdir(dir.path, { recursive: true });
  await writeFile(join(dir.path, `${communityId}.yaml`), communityYaml(communityId, devices));
  return dir.path;
}

/** Each device on its own connection, with its own credentials, QoS 1; resolves when all are acknowledged. */
async function publishFromDevices(url: string, devices: TestDevice[], credentials: Map<string, string> | undefined, messagesPerDevice: (d: TestDevice, i: number) => { topic: string; payload: string }[]): Promise<void> {
  const clients: MqttClient[] = [];
  try {
    await Promise.all(
      devices.map(async (device, i) => {
        const client = await connectAsync(url, { clientId: `${device.communityId}-${device.deviceId}`, username: credentials ? device.deviceId : undefined, password: credentials?.get(device.deviceId), reconnectPeriod: 0 });
        clients.push(client);
        await Promise.all(messagesPerDevice(device, i).map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.endAsync()));
  }
}

/** Splits TOTAL messages over the devices; returns what InfluxDB must hold afterwards. */
function plan(devices: TestDevice[], total: number, baseTs = BASE_TS) {
  const perDevice = new Map<string, { topic: string; payload: string; expected: ExpectedPoint }[]>();
  devices.forEach((d, i) => {
    const count = Math.floor(total / devices.length) + (i < total % devices.length ? 1 : 0);
    perDevice.set(d.deviceId, Array.from({ length: count }, (_, k) => testMessage(d, k, baseTs)));
  });
  return perDevice;
}

async function assertStored(database: string, devices: TestDevice[], perDevice: ReturnType<typeof plan>): Promise<void> {
  const connection = influx.connection(database);
  const measurements = [...DEVICE_TYPES, MEASUREMENTS.event];
  const expectedCounts = new Map([...perDevice].map(([id, msgs]) => [id, msgs.length]));
  const total = [...expectedCounts.values()].reduce((a, b) => a + b, 0);
  const counts = await waitFor(
    () => countByDevice(connection, measurements),
    (c) => [...c.values()].reduce((a, b) => a + b, 0) >= total,
    { timeoutMs: 60_000 },
  );
  assert.deepEqual(Object.fromEntries([...counts].sort()), Object.fromEntries([...expectedCounts].sort()), 'points per device');
  const rows = new Map<string, Record<string, unknown>[]>();
  for (const m of measurements) rows.set(m, await readPoints(connection, m));
  const expected = [...perDevice.values()].flat().map((m) => m.expected);
  assert.deepEqual(diffPoints(expected, rows), [], 'every point with its measurement, tags, fields and timestamp');
  assert.equal(devices.length, perDevice.size);
}

describe('ingest through the embedded broker', () => {
  it('stores 10,000 QoS 1 messages from 36 authenticated devices exactly', async () => {
    const devices = testDevices('alpha', 6);
    const pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_embedded', communityConfigDir: await configDir('alpha', devices) });
    try {
      const credentials = new Map<string, string>();
      for (const d of devices) credentials.set(d.deviceId, await pipeline.secrets.issue(d));
      const perDevice = plan(devices, TOTAL);
      await publishFromDevices(pipeline.mqttUrl, devices, credentials, (d) => perDevice.get(d.deviceId)!);
      await assertStored('gw_embedded', devices, perDevice);
    } finally {
      await pipeline.stop();
    }
  });

  it('stores what mosquitto_pub, a client no one here wrote, publishes', async () => {
    const devices = testDevices('beta', 1);
    const pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_mosqpub', communityConfigDir: await configDir('beta', devices) });
    try {
      const perDevice = plan(devices, 1_200);
      const port = new URL(pipeline.mqttUrl).port;
      for (const d of devices) {
        const secret = await pipeline.secrets.issue(d);
        // -l: one message per stdin line; topics differ per channel, so one run per channel.
        for (const channel of ['telemetry', 'event']) {
          const msgs = perDevice.get(d.deviceId)!.filter((m) => m.topic.endsWith(`/${channel}`));
          await mosquittoPub(['-h', '127.0.0.1', '-p', port, '-q', '1', '-u', d.deviceId, '-P', secret, '-i', `pub-${d.deviceId}`, '-t', msgs[0].topic, '-l'], msgs.map((m) => m.payload).join('\n') + '\n');
        }
      }
      await assertStored('gw_mosqpub', devices, perDevice);
    } finally {
      await pipeline.stop();
    }
  });

  it('stores what devices published while ingest was stopped (persistent session)', async () => {
    const devices = testDevices('gamma', 2);
    const pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_offline', communityConfigDir: await configDir('gamma', devices) });
    try {
      const credentials = new Map<string, string>();
      for (const d of devices) credentials.set(d.deviceId, await pipeline.secrets.issue(d));
      await pipeline.stopIngest();
      const perDevice = plan(devices, 1_000);
      await publishFromDevices(pipeline.mqttUrl, devices, credentials, (d) => perDevice.get(d.deviceId)!);
      await pipeline.startIngest();
      await assertStored('gw_offline', devices, perDevice);
    } finally {
      await pipeline.stop();
    }
  });
});

describe("ingest through Debian's mosquitto as the broker", () => {
  it('stores 10,000 QoS 1 messages from mqtt.js devices and mosquitto_pub exactly', async () => {
    const mosquitto = await startTestMosquitto();
    const devices = testDevices('delta', 6);
    const pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_mosquitto', externalBrokerUrl: mosquitto.url, communityConfigDir: await configDir('delta', devices) });
    try {
      const perDevice = plan(devices, TOTAL);
      const [first, ...rest] = devices;
      const firstTelemetry = perDevice.get(first.deviceId)!.filter((m) => m.topic.endsWith('/telemetry'));
      const firstEvents = perDevice.get(first.deviceId)!.filter((m) => m.topic.endsWith('/event'));
      await Promise.all([
        publishFromDevices(mosquitto.url, rest, undefined, (d) => perDevice.get(d.deviceId)!),
        mosquittoPub(['-h', '127.0.0.1', '-p', String(mosquitto.port), '-q', '1', '-t', firstTelemetry[0].topic, '-l'], firstTelemetry.map((m) => m.payload).join('\n') + '\n'),
        mosquittoPub(['-h', '127.0.0.1', '-p', String(mosquitto.port), '-q', '1', '-t', firstEvents[0].topic, '-l'], firstEvents.map((m) => m.payload).join('\n') + '\n'),
      ]);
      await assertStored('gw_mosquitto', devices, perDevice);
    } finally {
      await pipeline.stop();
      await mosquitto.stop();
    }
  });
});

function mosquittoPub(args: string[], stdin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mosquitto_pub', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mosquitto_pub exited ${code}: ${stderr}`))));
    child.stdin.end(stdin);
  });
}
