import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { generate } from 'mqtt-packet';
import { type TestInflux, TestPipeline, communityYaml, countByDevice, startTestInflux, tempDir, testDevices, testMessage, waitFor } from './support/index.js';

/**
 * P5 acceptance, broker security: devices log in with their own secret and publish only in their
 * own topic tree (checked with mosquitto_pub, a client no one here wrote); anonymous clients are
 * refused; oversize packets, message floods and connection floods are refused and counted;
 * MQTTS and WSS work when a certificate is configured.
 */
const run = promisify(execFile);
const C = 'sec';
const devices = testDevices(C, 1);
const noise = devices.find((d) => d.deviceType === 'noise')!;
const gate = devices.find((d) => d.deviceType === 'access_gate')!;

let influx: TestInflux;
let pipeline: TestPipeline;
let certs: { path: string; remove(): Promise<void> };
const secrets = new Map<string, string>();

before(async () => {
  influx = await startTestInflux();
  certs = await tempDir('greenwatch-certs-');
  // A self-signed certificate for 127.0.0.1, made here with openssl.
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(certs.path, 'key.pem'), '-out', join(certs.path, 'cert.pem')]);
  const communities = await tempDir('greenwatch-communities-');
  await mkdir(communities.path, { recursive: true });
  await writeFile(join(communities.path, `${C}.yaml`), communityYaml(C, devices));
  pipeline = await TestPipeline.start({
    influxUrl: influx.url,
    database: 'gw_security',
    communityConfigDir: communities.path,
    env: {
      MQTT_TLS_CERT: join(certs.path, 'cert.pem'),
      MQTT_TLS_KEY: join(certs.path, 'key.pem'),
      MQTTS_PORT: '0',
      MQTT_WSS_PORT: '0',
      MQTT_MAX_PACKET_KB: '16',
      MQTT_DEVICE_MSGS_PER_S: '20',
      MQTT_CONNECTS_PER_S: '3',
    },
  });
  for (const d of devices) secrets.set(d.deviceId, await pipeline.secrets.issue(d));
});

after(async () => {
  await pipeline?.stop();
  await influx?.stop();
  await certs?.remove();
});

const metric = (name: string, what: string) => {
  const match = new RegExp(`${name}\\{service="broker",what="${what}"\\} (\\d+)`).exec(pipeline.broker!.metricsRegistry.render());
  return match ? Number(match[1]) : 0;
};
const port = () => new URL(pipeline.mqttUrl).port;

describe('broker security', () => {
  it('refuses a device publishing on another device\'s topic (mosquitto_pub), counts it, stores nothing', async () => {
    const before = metric('greenwatch_broker_denied_total', 'publish');
    const foreign = testMessage(gate, 0, Date.UTC(2026, 10, 4)); // the gate's topic, the noise meter's login
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port(), '-q', '1', '-u', noise.deviceId, '-P', secrets.get(noise.deviceId)!, '-t', foreign.topic, '-m', foreign.payload]).catch(() => undefined);
    await waitFor(async () => metric('greenwatch_broker_denied_total', 'publish'), (n) => n > before);
    assert.equal(metric('greenwatch_broker_denied_total', 'publish'), before + 1);
    // its own topic works with the same credentials
    const own = testMessage(noise, 0, Date.UTC(2026, 10, 4));
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port(), '-q', '1', '-u', noise.deviceId, '-P', secrets.get(noise.deviceId)!, '-t', own.topic, '-m', own.payload]);
    const counts = await waitFor(() => countByDevice(influx.connection('gw_security'), ['noise', 'access_gate']), (c) => c.has(noise.deviceId));
    assert.equal(counts.get(noise.deviceId), 1);
    assert.equal(counts.has(gate.deviceId), false, 'nothing stored for the forged topic');
  });

  it('refuses anonymous clients and wrong secrets', async () => {
    await assert.rejects(connectAsync(pipeline.mqttUrl, { reconnectPeriod: 0 }), /Not authorized|Bad username or password|refused/i);
    await assert.rejects(connectAsync(pipeline.mqttUrl, { reconnectPeriod: 0, username: noise.deviceId, password: 'not-the-secret' }), /Bad username or password|refused/i);
  });

  it('closes a connection that sends a packet over the size limit, and counts it', async () => {
    const before = metric('greenwatch_broker_refused_total', 'packet_size');
    const socket = netConnect(Number(port()), '127.0.0.1');
    socket.on('error', () => undefined); // the broker resets the connection: that is the point
    await new Promise((r) => socket.once('connect', r));
    const closed = new Promise((r) => socket.once('close', r));
    socket.write(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'big', keepalive: 30, username: noise.deviceId, password: Buffer.from(secrets.get(noise.deviceId)!) }));
    socket.write(generate({ cmd: 'publish', topic: testMessage(noise, 1, 0).topic, payload: Buffer.alloc(64 * 1024, 0x20), qos: 0, dup: false, retain: false }));
    await closed;
    assert.equal(metric('greenwatch_broker_refused_total', 'packet_size'), before + 1);
  });

  it('slows a flooding device down without losing its QoS 1 messages', async () => {
    const before = metric('greenwatch_broker_refused_total', 'message_rate');
    const ev = devices.find((d) => d.deviceType === 'ev_charger')!;
    const client = await connectAsync(pipeline.mqttUrl, { clientId: 'flooder', clean: false, username: ev.deviceId, password: secrets.get(ev.deviceId), reconnectPeriod: 100 });
    // 20/s with a burst of 200 allowed: 300 at once must meet the limit
    const acks = Array.from({ length: 300 }, (_, k) => testMessage(ev, k, Date.UTC(2026, 10, 4))).map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 }));
    const counts = await waitFor(() => countByDevice(influx.connection('gw_security'), ['ev_charger', 'device_event']), (c) => (c.get(ev.deviceId) ?? 0) >= 300, { timeoutMs: 60_000 });
    await Promise.all(acks);
    await client.endAsync();
    assert.ok(metric('greenwatch_broker_refused_total', 'message_rate') > before, 'the limit was met and counted');
    assert.equal(counts.get(ev.deviceId), 300, 'every message stored once, after the device sent it again');
  });

  it('serves MQTTS and WSS with the configured certificate', async () => {
    const tls = pipeline.broker!.tlsPorts!;
    const ca = await (await import('node:fs/promises')).readFile(join(certs.path, 'cert.pem'));
    const water = devices.find((d) => d.deviceType === 'water_meter')!;
    for (const [url, k] of [[`mqtts://127.0.0.1:${tls.mqtts}`, 0], [`wss://127.0.0.1:${tls.wss}/mqtt`, 1]] as const) {
      const client = await connectAsync(url, { ca, username: water.deviceId, password: secrets.get(water.deviceId), reconnectPeriod: 0, clientId: `tls-${k}` });
      const m = testMessage(water, k, Date.UTC(2026, 10, 4));
      await client.publishAsync(m.topic, m.payload, { qos: 1 });
      await client.endAsync();
    }
    const counts = await waitFor(() => countByDevice(influx.connection('gw_security'), ['water_meter']), (c) => (c.get(water.deviceId) ?? 0) >= 2);
    assert.equal(counts.get(water.deviceId), 2);
    await assert.rejects(connectAsync(`mqtts://127.0.0.1:${tls.mqtts}`, { reconnectPeriod: 0 }), /self[- ]signed|certificate/i, 'a client that does not trust the certificate is refused by TLS');
  });
  // Last: it spends this address's connection budget.
  it('refuses connections over the per-address rate, and counts them', async () => {
    const before = metric('greenwatch_broker_refused_total', 'connection_rate');
    // 3/s with a burst of 30: 60 connections at once must meet the limit
    const attempts = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => connectAsync(pipeline.mqttUrl, { clientId: `c${i}`, username: noise.deviceId, password: secrets.get(noise.deviceId), reconnectPeriod: 0, connectTimeout: 3000 })));
    for (const a of attempts) if (a.status === 'fulfilled') await a.value.endAsync();
    assert.ok(attempts.some((a) => a.status === 'rejected'), 'some connections refused');
    assert.ok(metric('greenwatch_broker_refused_total', 'connection_rate') > before);
  });

});
