import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MqttClient, connectAsync } from 'mqtt';
import { deviceTopic } from '#contracts';
import { ADMIN_KEY, ApiStack, call } from './support/api-stack.js';
import { type TestInflux, readPoints, startTestInflux, waitFor } from './support/index.js';

/**
 * Criterion 5 evidence (criteria.md, "Evidence": bins per compound and category, overflow events
 * and time to empty) from what the real pipeline stored: bins publish through the broker, the
 * ingest stores them in InfluxDB, the api computes the report with InfluxQL.
 */
const C = 'we';
const YAML = `id: ${C}\nname: 垃圾分类证据社区\ntimezone: Asia/Shanghai\ncompounds:\n  - {id: c1, name: 一号小区}\ndevices:\n  - {id: b-k, type: waste_bin, compound: c1, category: kitchen}\n  - {id: b-r, type: waste_bin, compound: c1, category: recyclable}\n`;
const FROM = Math.floor((Date.now() - 3 * 3_600_000) / 3_600_000) * 3_600_000; // an hour boundary, 2-3 h ago
const TO = FROM + 2 * 3_600_000;
const min = (m: number) => FROM + m * 60_000;

let influx: TestInflux;
let stack: ApiStack;
let device: MqttClient;

before(async () => {
  influx = await startTestInflux();
  stack = await ApiStack.start({ influxUrl: influx.url, database: 'gw_waste_evidence', communities: { [C]: YAML } });
  device = await connectAsync(stack.pipeline.mqttUrl, { clientId: 'waste-evidence-bins', reconnectPeriod: 0 });
  const bin = (id: string, category: string) => (ts: number, fillPct: number) => device.publishAsync(deviceTopic({ communityId: C, deviceType: 'waste_bin', deviceId: id }, 'telemetry'), JSON.stringify({ ts, fillPct, category }), { qos: 1 });
  const kitchen = bin('b-k', 'kitchen');
  const recyclable = bin('b-r', 'recyclable');
  // the kitchen bin fills (85 % at 0:20), overflows (97 % at 0:40) and is emptied at 0:55; both report every 10 minutes for 2 h
  const levels = [30, 60, 85, 90, 97, 97, 5, 10, 15, 20, 25, 30];
  for (let i = 0; i < 12; i++) {
    await kitchen(min(i * 10), levels[i]);
    await recyclable(min(i * 10), 20);
  }
  await device.publishAsync(deviceTopic({ communityId: C, deviceType: 'waste_bin', deviceId: 'b-k' }, 'event'), JSON.stringify({ ts: min(55), type: 'emptied' }), { qos: 1 });
  await waitFor(() => readPoints(influx.connection('gw_waste_evidence'), 'waste_bin'), (p) => p.length === 24, { timeoutMs: 10_000, intervalMs: 100 });
  await waitFor(() => readPoints(influx.connection('gw_waste_evidence'), 'device_event'), (p) => p.length === 1, { timeoutMs: 10_000, intervalMs: 100 });
});
after(async () => {
  await device?.endAsync();
  await stack?.stop();
  await influx?.stop();
});

describe('criterion 5 evidence from the stored bins', () => {
  it('reports coverage, online rate, the fill-up with its time to empty and the overflow, in json, csv and html', async () => {
    const report = await call(stack.url, `/api/evidence/5?community=${C}&from=${FROM}&to=${TO}`, { key: ADMIN_KEY });
    assert.equal(report.status, 200, report.text);
    const e = report.body;
    assert.deepEqual(e.bins.map((b: any) => [b.deviceId, b.category, b.hoursWithData, b.hours, b.onlineRate, b.fillUps]), [
      ['b-k', 'kitchen', 2, 2, 1, 1],
      ['b-r', 'recyclable', 2, 2, 1, 0],
    ]);
    assert.deepEqual(e.episodes.map((x: any) => [x.deviceId, x.start, x.peakPct, x.overflowed, x.endedBy, x.minutesToEmpty]), [['b-k', min(20), 97, true, 'emptied', 35]]);
    assert.deepEqual(e.compounds[0].coverage.map((k: any) => [k.category, k.online]), [['recyclable', ['b-r']], ['hazardous', []], ['kitchen', ['b-k']], ['other', []]]);
    assert.deepEqual(e.verdict, { pass: false, reasons: ['compound c1 (一号小区) has no hazardous bin', 'compound c1 (一号小区) has no other bin', 'bin b-k overflowed (≥ 95%) 1 time(s)'] });

    const csv = await call(stack.url, `/api/evidence/5?community=${C}&from=${FROM}&to=${TO}&format=csv`, { key: ADMIN_KEY });
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.equal(csv.text.split('\n')[1], `b-k,c1,kitchen,${new Date(min(20)).toISOString()},97,true,emptied,${new Date(min(55)).toISOString()},35,false`);
    const html = await call(stack.url, `/api/evidence/5?community=${C}&from=${FROM}&to=${TO}&format=html`, { key: ADMIN_KEY });
    assert.match(html.text, /<h1>第5条 生活垃圾分类/);
  });
});
