import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { MEASUREMENTS } from '#storage';
import { type TestInflux, TestPipeline, countByDevice, readPoints, startTestInflux, waitFor } from './support/index.js';

/**
 * P1 acceptance: malformed messages interleaved with valid ones. Every valid one is stored
 * exactly, every invalid one is rejected with its reason (published on gc/{c}/rejected) and not
 * stored, and the ingest keeps running.
 */
const C = 'mal';
const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
const noise = `gc/${C}/noise/n-01/telemetry`;

interface Bad {
  kind: string;
  topic: string;
  payload: string | Buffer;
  /** A piece of the reason that names what is wrong. */
  reason: RegExp;
}

function bads(now: number): Bad[] {
  const ok = (i: number) => ({ ts: T0 + 500_000 + i, laeq: 50 });
  return [
    { kind: 'invalid JSON', topic: noise, payload: '{"ts": 1, "laeq":', reason: /invalid JSON/ },
    { kind: 'empty payload', topic: noise, payload: '', reason: /invalid JSON/ },
    { kind: 'invalid UTF-8', topic: noise, payload: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), reason: /invalid UTF-8/ },
    { kind: 'JSON array', topic: noise, payload: '[1,2]', reason: /a JSON object/ },
    { kind: 'JSON null', topic: noise, payload: 'null', reason: /a JSON object/ },
    { kind: 'missing required field', topic: noise, payload: JSON.stringify({ ts: T0 + 500_001 }), reason: /laeq: expected a number, got nothing/ },
    { kind: 'wrong type', topic: noise, payload: JSON.stringify({ ...ok(2), laeq: '55' }), reason: /laeq: expected a number, got string "55"/ },
    { kind: 'out of range', topic: noise, payload: JSON.stringify({ ...ok(3), laeq: 12 }), reason: /laeq: expected a number ≥ 20, got 12/ },
    { kind: 'huge number', topic: noise, payload: `{"ts":${T0 + 500_004},"laeq":1e400}`, reason: /laeq/ },
    { kind: 'deep nesting', topic: noise, payload: `{"ts":${T0 + 500_005},"laeq":${'['.repeat(500)}${']'.repeat(500)}}`, reason: /laeq: expected a number, got array/ },
    { kind: 'missing ts', topic: noise, payload: JSON.stringify({ laeq: 50 }), reason: /ts: expected/ },
    { kind: 'future ts', topic: noise, payload: JSON.stringify({ ts: now + 10 * 60_000, laeq: 50 }), reason: /ts: expected at most 5 minutes ahead/ },
    { kind: 'ts in seconds', topic: noise, payload: JSON.stringify({ ts: Math.floor(T0 / 1000), laeq: 50 }), reason: /seconds sent where milliseconds belong/ },
    { kind: 'ts without offset', topic: noise, payload: JSON.stringify({ ts: '2026-11-02T08:00:00', laeq: 50 }), reason: /ts: expected/ },
    { kind: 'negative seq', topic: noise, payload: JSON.stringify({ ...ok(6), seq: -1 }), reason: /seq: expected an integer ≥ 0|seq: expected a number ≥ 0/ },
    { kind: 'oversize', topic: noise, payload: JSON.stringify({ ...ok(7), pad: 'x'.repeat(5000) }), reason: /at most 4096 bytes/ },
    { kind: 'unknown device type', topic: `gc/${C}/toaster/t-01/telemetry`, payload: JSON.stringify(ok(8)), reason: /topic deviceType/ },
    { kind: 'uppercase device id', topic: `gc/${C}/noise/N-01/telemetry`, payload: JSON.stringify(ok(9)), reason: /topic deviceId/ },
    { kind: 'device id with quote and space', topic: `gc/${C}/noise/n "1/telemetry`, payload: JSON.stringify(ok(10)), reason: /topic deviceId/ },
    { kind: 'bad community id', topic: 'gc/Bad,Id=1/noise/n-01/telemetry', payload: JSON.stringify(ok(11)), reason: /topic communityId/ },
    { kind: 'unknown event type', topic: `gc/${C}/noise/n-01/event`, payload: JSON.stringify({ ts: T0 + 500_012, type: 'explosion' }), reason: /type: expected one of "horn"/ },
    { kind: 'event without its field', topic: `gc/${C}/noise/n-01/event`, payload: JSON.stringify({ ts: T0 + 500_013, type: 'horn' }), reason: /lmax: expected a number, got nothing/ },
    { kind: 'bad enum', topic: `gc/${C}/waste_bin/b-01/telemetry`, payload: JSON.stringify({ ts: T0 + 500_014, fillPct: 50, category: 'glass' }), reason: /category: expected one of/ },
    { kind: 'boolean as string', topic: `gc/${C}/access_gate/g-01/telemetry`, payload: JSON.stringify({ ts: T0 + 500_015, doorClosed: 'yes' }), reason: /doorClosed: expected a boolean/ },
    { kind: 'status without online', topic: `gc/${C}/gas_meter/gm-01/status`, payload: JSON.stringify({ ts: T0 + 500_016, battery: 50 }), reason: /online: expected a boolean/ },
    { kind: 'newline in a string (line-protocol injection)', topic: `gc/${C}/gas_meter/gm-01/status`, payload: JSON.stringify({ ts: T0 + 500_017, online: true, fw: 'v1\ngas_meter,community=mal totalM3=1 1' }), reason: /fw: expected a string matching/ },
    { kind: 'fill over 100', topic: `gc/${C}/waste_bin/b-01/telemetry`, payload: JSON.stringify({ ts: T0 + 500_018, fillPct: 101, category: 'other' }), reason: /fillPct: expected a number ≤ 100/ },
  ];
}

/** Valid messages whose strings carry every line-protocol special character. */
function goods(): { topic: string; payload: string; measurement: string; device: string; time: number; fields: Record<string, unknown> }[] {
  const out = [];
  for (let i = 0; i < 60; i++) {
    const time = T0 + i * 1000;
    switch (i % 3) {
      case 0:
        out.push({ topic: noise, payload: JSON.stringify({ ts: time, seq: i, laeq: 40 + i / 4 }), measurement: 'noise', device: 'n-01', time, fields: { laeq: 40 + i / 4, seq: i } });
        break;
      case 1: {
        const code = `E,${i}= "quoted" back\\slash`;
        out.push({ topic: `gc/${C}/ev_charger/e-01/event`, payload: JSON.stringify({ ts: time, seq: i, type: 'fault', code }), measurement: MEASUREMENTS.event, device: 'e-01', time, fields: { code, seq: i, count: 1 } });
        break;
      }
      default: {
        const fw = `v${i} "beta", x=y\\z`;
        out.push({ topic: `gc/${C}/gas_meter/gm-01/status`, payload: JSON.stringify({ ts: time, seq: i, online: true, fw }), measurement: MEASUREMENTS.status, device: 'gm-01', time, fields: { online: true, fw, seq: i } });
      }
    }
  }
  return out;
}

let influx: TestInflux;
let pipeline: TestPipeline;
before(async () => {
  influx = await startTestInflux();
  pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_malformed', allowAnonymous: true });
});
after(async () => {
  await pipeline?.stop();
  await influx?.stop();
});

it('stores every valid message exactly and rejects every malformed one with its reason', async () => {
  const badList = bads(Date.now());
  const goodList = goods();
  assert.ok(badList.length >= 20, 'at least 20 kinds of malformed message');

  const watcher = await connectAsync(pipeline.mqttUrl, { clientId: 'rejected-watcher' });
  const rejected: { topic: string; reason: string; payload: string; payloadEncoding?: string }[] = [];
  const rejectedOn: string[] = [];
  watcher.on('message', (topic, payload) => {
    rejectedOn.push(topic);
    rejected.push(JSON.parse(payload.toString()));
  });
  await watcher.subscribeAsync('gc/+/rejected', { qos: 0 });

  const device = await connectAsync(pipeline.mqttUrl, { clientId: 'malformed-publisher' });
  // Interleave: good, bad, good, bad, ...; QoS 1 from one connection keeps the order.
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < Math.max(goodList.length, badList.length); i++) {
    if (goodList[i]) sends.push(device.publishAsync(goodList[i].topic, goodList[i].payload, { qos: 1 }));
    if (badList[i]) sends.push(device.publishAsync(badList[i].topic, badList[i].payload, { qos: 1 }));
  }
  await Promise.all(sends);

  const connection = influx.connection('gw_malformed');
  const measurements = ['noise', 'waste_bin', 'access_gate', MEASUREMENTS.event, MEASUREMENTS.status];
  const counts = await waitFor(() => countByDevice(connection, measurements), (c) => [...c.values()].reduce((a, b) => a + b, 0) >= goodList.length);
  await waitFor(async () => rejected.length, (n) => n >= badList.length);

  // Every bad one: rejected once, with a reason naming what is wrong, on the right topic.
  for (const bad of badList) {
    const copies = rejected.filter((r) => r.topic === bad.topic && (typeof bad.payload === 'string' ? r.payload === bad.payload.slice(0, 1024) : r.payloadEncoding === 'base64'));
    assert.equal(copies.length, 1, `${bad.kind}: one rejected copy (got ${copies.length})`);
    assert.match(copies[0].reason, bad.reason, `${bad.kind}: reason`);
  }
  assert.equal(rejected.length, badList.length, 'no valid message was rejected');
  assert.ok(rejectedOn.includes('gc/_invalid/rejected'), 'a message with a bad community id is reported on gc/_invalid/rejected');
  assert.ok(rejectedOn.filter((t) => t === `gc/${C}/rejected`).length >= badList.length - 1);

  // Nothing invalid stored: exactly the valid points, per device.
  assert.deepEqual(Object.fromEntries([...counts].sort()), { 'e-01': 20, 'gm-01': 20, 'n-01': 20 });
  for (const good of goodList) {
    const [row] = await readPoints(connection, good.measurement, `"device"='${good.device}' AND time = ${good.time}ms`);
    assert.ok(row, `stored: ${good.topic} at ${good.time}`);
    for (const [field, value] of Object.entries(good.fields)) assert.equal(row[field], value, `${good.topic} ${field}`);
  }

  // Still alive, and the counters agree.
  const health = (await (await fetch(`${pipeline.ingestUrl}/health`)).json()) as { status: string };
  assert.equal(health.status, 'ok');
  const metrics = await (await fetch(`${pipeline.ingestUrl}/metrics`)).text();
  assert.match(metrics, new RegExp(`greenwatch_ingest_rejected_total\\{service="ingest"\\} ${badList.length}\\n`));
  assert.match(metrics, new RegExp(`greenwatch_ingest_accepted_total\\{service="ingest"\\} ${goodList.length}\\n`));
  await device.endAsync();
  await watcher.endAsync();
});
