import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MqttClient, connectAsync } from 'mqtt';
import { deviceTopic } from '#contracts';
import { ADMIN_KEY, ApiStack, call } from './support/api-stack.js';
import { type TestInflux, startTestInflux, waitFor } from './support/index.js';

/**
 * security.gate_forced clears only when a person acknowledges it (criteria.md). Through the real
 * broker, ingest, rules, api and InfluxDB: an acknowledgement in the api reaches the rules
 * (gc/{c}/alerts/acks), the rule clears, and the gate's next forced opening is a new alert; before,
 * the rules kept the first one open for good and never raised again for that gate. An
 * acknowledgement made while the broker is away, with the api restarted meanwhile, still arrives.
 */
const C = 'ga';
const YAML = `id: ${C}\nname: 门禁测试社区\ntimezone: Asia/Shanghai\ncompounds:\n  - {id: c1, name: 一号小区}\ndevices:\n  - {id: g-01, type: access_gate, compound: c1}\n`;
const BASE = Date.now() - 60 * 60_000;

let influx: TestInflux;
let stack: ApiStack;
let device: MqttClient;

before(async () => {
  influx = await startTestInflux();
  // sessions on disk: the services' subscriptions and queues outlive the broker's restart, as deployed
  stack = await ApiStack.start({ influxUrl: influx.url, database: 'gw_gate_ack', communities: { [C]: YAML }, brokerPersistence: true });
  device = await connectAsync(stack.pipeline.mqttUrl, { clientId: 'gate-ack-device', reconnectPeriod: 200 });
});
after(async () => {
  await device?.endAsync();
  await stack?.stop();
  await influx?.stop();
});

const gate = (channel: 'telemetry' | 'event', body: Record<string, unknown>) => device.publishAsync(deviceTopic({ communityId: C, deviceType: 'access_gate', deviceId: 'g-01' }, channel), JSON.stringify(body), { qos: 1 });
const forcedAlerts = async () => (await call(stack.url, `/api/alerts?community=${C}&rule=security.gate_forced`, { key: ADMIN_KEY })).body.alerts as { alertId: string; state: string; ruleState: string; raisedAt: number }[];
const historyOf = async (alertId: string) => ((await call(stack.url, `/api/alerts/${alertId}`, { key: ADMIN_KEY })).body.history as { action: string; by: string }[]).map((h) => `${h.action} ${h.by}`);

/** A forced opening at `at` and a closed door 5 s later (moves the clock past the lateness); the new alert. */
async function forcedOpening(at: number, expected: number) {
  await gate('event', { ts: at, type: 'forced_open' });
  await gate('telemetry', { ts: at + 5000, doorClosed: true });
  const alerts = await waitFor(forcedAlerts, (a) => a.length === expected, { timeoutMs: 15_000, intervalMs: 50 });
  const alert = alerts.find((a) => a.raisedAt === at);
  assert.ok(alert, `an alert for the forced opening at ${new Date(at).toISOString()}: ${JSON.stringify(alerts)}`);
  return alert;
}

describe('a forced gate acknowledged in the api', () => {
  it('is cleared by its rule, and the next forced opening of that gate is a new alert', async () => {
    const first = await forcedOpening(BASE, 1);
    const acked = await call(stack.url, `/api/alerts/${first.alertId}/ack`, { key: ADMIN_KEY, method: 'POST', body: { by: '保安王', comment: '已到场' } });
    assert.equal(acked.status, 200, acked.text);
    await waitFor(() => historyOf(first.alertId), (h) => h.includes('cleared rule'), { timeoutMs: 15_000, intervalMs: 50 });
    const second = await forcedOpening(BASE + 60_000, 2);
    assert.notEqual(second.alertId, first.alertId);
    assert.equal(second.state, 'open');
  });

  it('is cleared even when the broker was away at the acknowledgement and the api restarted meanwhile', async () => {
    const open = (await forcedAlerts()).find((a) => a.state === 'open')!;
    await stack.pipeline.stopBroker();
    const acked = await call(stack.url, `/api/alerts/${open.alertId}/ack`, { key: ADMIN_KEY, method: 'POST', body: { by: '保安王' } });
    assert.equal(acked.status, 200, acked.text);
    await stack.restartApi(); // the acknowledgement waiting in the old api's MQTT client is gone with it
    await stack.pipeline.startBroker();
    await waitFor(() => historyOf(open.alertId), (h) => h.includes('cleared rule'), { timeoutMs: 20_000, intervalMs: 100 });
    const third = await forcedOpening(BASE + 120_000, 3);
    assert.equal(third.state, 'open');
  });
});
