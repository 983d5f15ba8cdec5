import assert from 'node:assert/strict';
import { mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { type MqttClient, connectAsync } from 'mqtt';
import { type Alert, alertsTopic, deviceTopic } from '#contracts';
import type { RulesEngine } from '#rules';
import { RULES_ENGINE } from '../apps/rules/src/rules.service.js';
import { startRules } from '../apps/rules/src/start.js';
import { type TestInflux, TestPipeline, portAnswers, readPoints, startTestInflux, tempDir, waitFor } from './support/index.js';

/**
 * P3 acceptance through the real broker (aedes), the real ingest, a real InfluxDB and the rules
 * app: noise over a zone limit and a forced gate raise one alert each, published on
 * gc/{c}/alerts in the contract's format and stored in `alert`; the rules service is restarted
 * twice (once with its snapshot, once with the snapshot deleted) and nothing is lost or repeated.
 * And the rules' own /health and /metrics on RULES_PORT, through the same real broker and InfluxDB.
 */
const C = 'rt';
const YAML = `id: ${C}
name: 规则测试社区
timezone: Asia/Shanghai
compounds:
  - {id: c1, name: 一号小区}
devices:
  - {id: n-01, type: noise, compound: c1, zone: "1"}
  - {id: g-01, type: access_gate, compound: c1}
  - {id: ev-01, type: ev_charger, compound: c1}
`;
// 22:00 Shanghai two days ago: a night in the past (ts may not be ahead of the server clock)
const SHANGHAI_MIDNIGHT = Math.floor((Date.now() + 8 * 3600_000) / 86_400_000) * 86_400_000 - 8 * 3600_000;
const BASE = SHANGHAI_MIDNIGHT - 2 * 86_400_000 + 22 * 3600_000;
const minute = (m: number, s = 0) => BASE + m * 60_000 + s * 1000;

let influx: TestInflux;
before(async () => {
  influx = await startTestInflux();
});
after(async () => {
  await influx?.stop();
});

describe('rules through the real broker and InfluxDB', () => {
  it('raises each alert once in contract format, stores it, and survives restarts without loss or duplicates', async () => {
    const dir = await tempDir('greenwatch-rules-communities-');
    await mkdir(dir.path, { recursive: true });
    await writeFile(join(dir.path, `${C}.yaml`), YAML);
    const pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_rules', communityConfigDir: dir.path, allowAnonymous: true });
    const options = { clientId: 'greenwatch-rules-test', latenessMs: 120_000, snapshotIntervalMs: 3_600_000 };
    let rules: INestApplication | undefined = await startRules(pipeline.config, options);
    const received: Alert[] = [];
    const listener = await connectAsync(pipeline.mqttUrl, { clientId: 'alert-listener', reconnectPeriod: 0 });
    const device: MqttClient = await connectAsync(pipeline.mqttUrl, { clientId: 'devices', reconnectPeriod: 0 });
    try {
      await listener.subscribeAsync(alertsTopic(C), { qos: 1 });
      listener.on('message', (_topic, payload) => received.push(JSON.parse(payload.toString()) as Alert));
      const send = (deviceType: 'noise' | 'access_gate' | 'ev_charger', deviceId: string, channel: 'telemetry' | 'event', body: Record<string, unknown>) =>
        device.publishAsync(deviceTopic({ communityId: C, deviceType, deviceId }, channel), JSON.stringify(body), { qos: 1 });
      const minutes = async (from: number, to: number, extra: (m: number) => Promise<unknown>[] = () => []) => {
        for (let m = from; m < to; m++) {
          await Promise.all([
            send('noise', 'n-01', 'telemetry', { ts: minute(m), laeq: 50, lmax: m === 48 ? 80 : 55 }),
            send('access_gate', 'g-01', 'telemetry', { ts: minute(m, 1), doorClosed: true }),
            send('ev_charger', 'ev-01', 'telemetry', { ts: minute(m, 2), state: 'idle' }),
            ...extra(m),
          ]);
        }
      };
      const raised = (rule: string) => received.filter((a) => a.rule === rule && a.state === 'raised');
      const waitRaised = (rule: string, n = 1) => waitFor(async () => raised(rule).length, (k) => k >= n, { timeoutMs: 30_000 });

      // Part 1: 22:00–22:24, the gate forced at 22:05:30
      await minutes(0, 25, (m) => (m === 5 ? [send('access_gate', 'g-01', 'event', { ts: minute(5, 30), type: 'forced_open' })] : []));
      assert.equal(await waitRaised('security.gate_forced'), 1);

      // Restart with the snapshot; devices keep publishing while the rules are down (forced again at 22:30)
      await rules.close();
      rules = undefined;
      await minutes(25, 45, (m) => (m === 30 ? [send('access_gate', 'g-01', 'event', { ts: minute(30, 30), type: 'forced_open' })] : []));
      rules = await startRules(pipeline.config, options);
      // aedes hands a reconnecting session live messages while its offline queue is still draining,
      // even on the same topic (MQTT 3.1.1 4.6 wants them in order): a live 22:45 before a queued
      // 22:26 would make the backlog later than the lateness. So the devices resume once the backlog
      // is judged (see the P3 report).
      const engine = rules.get<RulesEngine>(RULES_ENGINE);
      await waitFor(async () => engine.clockOf(C) ?? 0, (clock) => clock >= minute(44, 2), { timeoutMs: 30_000 });
      await minutes(45, 56);
      assert.equal(await waitRaised('noise.night_burst'), 1); // 22:48, judged once the clock passed 22:50: everything before it was judged

      // Restart with the snapshot deleted: open alerts come back from the `alert` measurement
      await rules.close();
      rules = undefined;
      await rm(join(pipeline.config.dataDir, 'rules', 'state.json'));
      rules = await startRules(pipeline.config, options);
      await minutes(56, 62, (m) => (m === 57 ? [send('access_gate', 'g-01', 'event', { ts: minute(57, 30), type: 'forced_open' }), send('ev_charger', 'ev-01', 'event', { ts: minute(57, 40), type: 'fault', code: 'E1' })] : []));
      assert.equal(await waitRaised('ev.fault'), 1);

      // Exactly these raises, once each
      const raises = received.filter((a) => a.state === 'raised').map((a) => `${a.rule} ${a.deviceId} ${a.severity}`).sort();
      assert.deepEqual(raises, ['ev.fault ev-01 warning', 'noise.night_burst n-01 warning', 'noise.zone_limit n-01 warning', 'security.gate_forced g-01 critical']);
      const zone = raised('noise.zone_limit')[0];
      // contract format: 30 readings of 50 dB(A) from 22:00, class 1 night limit 45
      assert.deepEqual({ ...zone, alertId: 'x', message: 'x' }, {
        alertId: 'x', rule: 'noise.zone_limit', criterion: '10', severity: 'warning', state: 'raised', communityId: C, deviceId: 'n-01', deviceType: 'noise', compoundId: 'c1',
        at: minute(29), raisedAt: minute(29), value: 50, threshold: 45, message: 'x', context: { window: '1h', period: 'night', zone: '1' },
      });
      assert.match(zone.message.zh, /超过1类声环境功能区夜间限值 45 dB\(A\)/);
      assert.match(zone.message.en, /class 1 night limit of 45 dB\(A\)/);
      assert.equal(raised('security.gate_forced')[0].at, minute(5, 30));

      // Stored in `alert`, one point per transition
      const connection = influx.connection('gw_rules');
      const rows = await waitFor(() => readPoints(connection, 'alert'), (r) => r.length >= received.length, { timeoutMs: 30_000 });
      const stored = rows.map((r) => `${r.state} ${r.rule} ${r.device} ${r.severity} ${r.criterion} ${r.community} ${r.alertId} ${r.time}`).sort();
      const published = received.map((a) => `${a.state} ${a.rule} ${a.deviceId} ${a.severity} ${a.criterion} ${a.communityId} ${a.alertId} ${a.at}`).sort();
      assert.deepEqual(stored, published);
    } finally {
      await rules?.close();
      await Promise.all([listener.endAsync(), device.endAsync()]);
      await pipeline.stop();
      await dir.remove();
    }
  });
});

/** The rules' /health body (rules-http.controller.ts). */
interface RulesHealth {
  status: 'ok' | 'degraded';
  service: string;
  mqtt: string;
  catchingUp: boolean;
  buffered: number;
  openAlerts: number;
  late: number;
  snapshot: { everyS: number; lastSavedAt: string | null; lastSaveOk: boolean | null; lastError?: string };
}

describe('the rules\' /health and /metrics (RULES_PORT)', () => {
  it('answer with the MQTT session, catch-up, buffered, open alerts, late count and snapshot saves; degraded while the broker or the snapshot fails', async () => {
    const dir = await tempDir('greenwatch-rules-http-communities-');
    await writeFile(join(dir.path, `${C}.yaml`), YAML);
    const pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_rules_http', communityConfigDir: dir.path, allowAnonymous: true });
    const base = `http://127.0.0.1:${pipeline.config.rules.port}`;
    const health = async () => (await (await fetch(`${base}/health`)).json()) as RulesHealth;
    const metric = (text: string, name: string) => Number(new RegExp(`^${name}\\{service="rules"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    let rules: INestApplication | undefined = await startRules(pipeline.config, { clientId: 'greenwatch-rules-http', latenessMs: 60_000, snapshotIntervalMs: 1000 });
    const device: MqttClient = await connectAsync(pipeline.mqttUrl, { clientId: 'devices-http', reconnectPeriod: 0 });
    try {
      // A new session (no backlog): connected, not catching up, nothing judged yet.
      const first = await waitFor(health, (h) => h.status === 'ok' && !h.catchingUp);
      assert.deepEqual({ ...first, snapshot: undefined }, { status: 'ok', service: 'rules', mqtt: 'connected', catchingUp: false, buffered: 0, openAlerts: 0, late: 0, snapshot: undefined });
      assert.equal(first.snapshot.everyS, 1);
      assert.equal((await fetch(`${base}/health`)).status, 200, 'ok answers 200');

      // The gate forced at 22:00, noise up to 22:03: with 60 s of lateness the event is judged (one
      // open alert) and 22:02:00–22:03:00 still waits in the buffer; then a 22:01:30 reading is late.
      const send = (deviceType: 'noise' | 'access_gate', deviceId: string, channel: 'telemetry' | 'event', body: Record<string, unknown>) =>
        device.publishAsync(deviceTopic({ communityId: C, deviceType, deviceId }, channel), JSON.stringify(body), { qos: 1 });
      await send('access_gate', 'g-01', 'event', { ts: minute(0), type: 'forced_open' });
      for (let m = 0; m <= 3; m++) await send('noise', 'n-01', 'telemetry', { ts: minute(m), laeq: 40 });
      const judged = await waitFor(health, (h) => h.openAlerts >= 1 && h.buffered >= 1);
      assert.ok(judged.openAlerts >= 1 && judged.buffered >= 1, JSON.stringify(judged));
      await send('noise', 'n-01', 'telemetry', { ts: minute(1, 30), laeq: 40 });
      const late = await waitFor(health, (h) => h.late === 1 && h.snapshot.lastSaveOk === true);
      assert.equal(late.late, 1, JSON.stringify(late));
      assert.equal(late.snapshot.lastSaveOk, true);
      assert.ok(Date.now() - Date.parse(late.snapshot.lastSavedAt ?? '') < 10_000, late.snapshot.lastSavedAt ?? 'never saved');

      const response = await fetch(`${base}/metrics`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await response.text();
      assert.equal(metric(text, 'greenwatch_rules_late_total'), 1);
      const now = await health();
      assert.equal(metric(text, 'greenwatch_rules_open_alerts'), now.openAlerts);
      assert.equal(metric(text, 'greenwatch_rules_buffered'), now.buffered);
      assert.equal(metric(text, 'greenwatch_rules_messages_in_total'), 6);

      // A snapshot that cannot be saved (DATA_DIR/rules is a file now) degrades /health until it can again.
      const rulesDir = join(pipeline.config.dataDir, 'rules');
      await rm(rulesDir, { recursive: true, force: true });
      await writeFile(rulesDir, 'not a directory');
      const failing = await waitFor(health, (h) => h.status === 'degraded');
      assert.equal(failing.snapshot.lastSaveOk, false, JSON.stringify(failing));
      assert.ok(failing.snapshot.lastError, 'the error is told');
      assert.equal((await fetch(`${base}/health`)).status, 503, 'degraded answers 503 (Docker healthchecks look at the status only)');
      await unlink(rulesDir);
      assert.equal((await waitFor(health, (h) => h.status === 'ok')).snapshot.lastSaveOk, true);

      // The broker gone: degraded, reconnecting; back: ok again.
      await device.endAsync();
      await pipeline.stopBroker();
      const cut = await waitFor(health, (h) => h.status === 'degraded');
      assert.deepEqual([cut.status, cut.mqtt], ['degraded', 'reconnecting']);
      await pipeline.startBroker();
      assert.deepEqual(await waitFor(async () => (await health()).mqtt, (m) => m === 'connected'), 'connected');

      await rules.close();
      rules = undefined;
      assert.equal(await portAnswers(pipeline.config.rules.port), false, 'RULES_PORT closed with the app');
    } finally {
      await rules?.close();
      if (device.connected) await device.endAsync();
      await pipeline.stop();
      await dir.remove();
    }
  });
});
