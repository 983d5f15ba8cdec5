import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, it } from 'node:test';
import { type MqttClient, connectAsync } from 'mqtt';
import { DEVICE_TYPES, ID_PATTERN, deviceTopic } from '#contracts';
import { MEASUREMENTS } from '#storage';
import { type TestInflux, TestPipeline, countByDevice, diffPoints, readPoints, startTestInflux, testDevices, testMessage, waitFor } from './support/index.js';

/**
 * P5 acceptance: 100,000 random and mutated messages (random bytes, truncated JSON, deep nesting,
 * huge numbers, NaN/Infinity, unicode in ids, line-protocol injection, oversize) while valid
 * traffic flows. No crash, no valid reading lost, nothing invalid stored, memory flat.
 * Seeded: a failure reproduces with the same FUZZ_SEED.
 */
const FUZZ = Number(process.env.FUZZ_MESSAGES ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const VALID_PER_DEVICE = 500;
const T0 = Date.UTC(2026, 10, 5);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIRD_IDS = ['fz-1', 'fz-2', 'FZ-UP', '社区', 'dev ice', 'a,b=c', 'x"y', 'back\\slash', '$sys', '😀', '-lead', 'x'.repeat(70), '', 'ok'];
const WEIRD_VALUES: unknown[] = [null, true, 'str', '', -1, 0, 1e308, -1e308, 12345678901234567890, 0.1, [], [1, 2], {}, { a: 1 }, 'a\nb', 'q"u\\o,t=e s'];

/** One fuzz message: a topic under the subscribed channels, and bytes. */
function fuzzMessage(rnd: () => number, now: number): { topic: string; payload: Buffer } {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const type = rnd() < 0.9 ? pick(DEVICE_TYPES) : pick(['toaster', 'NOISE', 'noise ', '']);
  const id = rnd() < 0.7 ? `fz-${Math.floor(rnd() * 20)}` : pick(WEIRD_IDS);
  const community = rnd() < 0.9 ? 'fz' : pick(WEIRD_IDS);
  const channel = pick(['telemetry', 'event', 'status'] as const);
  const topic = `gc/${community}/${type}/${id}/${channel}`;
  const valid = testMessage({ communityId: 'fz', deviceType: DEVICE_TYPES[Math.floor(rnd() * 6)], deviceId: 'fz-0' }, Math.floor(rnd() * 1000), now - 3_600_000);
  const kind = Math.floor(rnd() * 9);
  let text: string;
  switch (kind) {
    case 0: // random bytes
      return { topic, payload: Buffer.from(Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256))) };
    case 1: // truncated JSON
      text = valid.payload.slice(0, Math.floor(rnd() * valid.payload.length));
      break;
    case 2: {
      const depth = 1 + Math.floor(rnd() * 1500);
      text = `{"ts":${now},"laeq":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      break;
    }
    case 3:
      text = `{"ts":${now},"laeq":${pick(['1e400', '-1e400', '123456789012345678901234567890', '1e-400', '55.000000000000000000001'])},"fillPct":1e309}`;
      break;
    case 4:
      text = `{"ts":${now},"laeq":${pick(['NaN', 'Infinity', '-Infinity', 'undefined'])}}`;
      break;
    case 5: // line-protocol injection in string fields
      text = JSON.stringify({ ts: now - Math.floor(rnd() * 1e6), online: true, fw: pick(['v1\nnoise,community=fz laeq=99 1', 'a" b=1', 'x\\', 'ok,=" \\']), type: 'fault', code: pick(['E1\r\nx', 'c,o=d e"\\', 42]), state: 'fault' });
      break;
    case 6: { // a valid payload with one field mutated
      const body = JSON.parse(valid.payload) as Record<string, unknown>;
      const keys = Object.keys(body);
      body[pick(keys)] = pick(WEIRD_VALUES);
      if (rnd() < 0.3) body[pick(['extra', '__proto__', 'constructor', 'a b'])] = pick(WEIRD_VALUES);
      text = JSON.stringify(body);
      break;
    }
    case 7: // oversize
      text = JSON.stringify({ ts: now, laeq: 50, pad: 'x'.repeat(4096 + Math.floor(rnd() * 40_000)) });
      break;
    default: // valid as sent, on a random (maybe weird) topic
      text = valid.payload;
  }
  return { topic, payload: Buffer.from(text) };
}

let influx: TestInflux;
let pipeline: TestPipeline;
before(async () => {
  influx = await startTestInflux();
  pipeline = await TestPipeline.start({ influxUrl: influx.url, database: 'gw_fuzz', allowAnonymous: true, ingestProcess: true, brokerPersistence: true });
});
after(async () => {
  await pipeline?.stop();
  await influx?.stop();
});

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

function metricFrom(text: string, name: string): number {
  return Number(new RegExp(`^${name}\\{service="ingest"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

async function ingestMetric(name: string): Promise<number> {
  return metricFrom(await (await fetch(`${pipeline.ingestUrl}/metrics`)).text(), name);
}

it(`survives ${FUZZ.toLocaleString('en')} fuzzed messages while valid traffic flows`, async () => {
  const rnd = mulberry32(SEED);
  const now = Date.now();
  const pid = pipeline.ingestChild!.pid!;
  const fuzzers: MqttClient[] = await Promise.all([0, 1, 2, 3].map((i) => connectAsync(pipeline.mqttUrl, { clientId: `fuzzer-${i}`, reconnectPeriod: 200 })));
  const okDevices = testDevices('ok', 1, false); // not in any community configuration: no compound or zone tags
  const valid = await Promise.all(okDevices.map((d) => connectAsync(pipeline.mqttUrl, { clientId: `ok-${d.deviceId}`, reconnectPeriod: 200 })));

  // Valid traffic, paced, alongside the fuzz.
  const validDone = (async () => {
    for (let k = 0; k < VALID_PER_DEVICE; k++) {
      await Promise.all(okDevices.map((d, i) => { const m = testMessage(d, k, T0); return valid[i].publishAsync(m.topic, m.payload, { qos: 1 }); }));
    }
  })();

  let rssHalf = 0;
  let rssPeak = 0;
  let skipped = 0;
  const window: Promise<unknown>[] = [];
  for (let n = 0; n < FUZZ; n++) {
    const m = fuzzMessage(rnd, now);
    const client = fuzzers[n % fuzzers.length];
    // QoS 1, so that every fuzz message must reach the ingest and be counted there.
    window.push(client.publishAsync(m.topic, m.payload, { qos: 1 }).catch(() => (skipped += 1)));
    if (window.length >= 400) await Promise.all(window.splice(0));
    if (n === Math.floor(FUZZ / 2)) rssHalf = await rssBytes(pid);
    if (n % 10_000 === 0) rssPeak = Math.max(rssPeak, await rssBytes(pid));
  }
  await Promise.all(window);
  await validDone;
  const sent = FUZZ - skipped;

  // Every message seen by the ingest: accepted + rejected = received = fuzz + valid.
  const expectedReceived = sent + VALID_PER_DEVICE * okDevices.length;
  await waitFor(() => ingestMetric('greenwatch_ingest_messages_in_total'), (n) => n >= expectedReceived, { timeoutMs: 120_000, intervalMs: 250 }).catch(() => undefined);
  const brokerState = (pipeline.broker?.metricsRegistry.render() ?? '').split('\n').filter((l) => /queued|acks_held|clients/.test(l) && !l.startsWith('#'));
  console.log(`fuzz | broker: ${brokerState.join('; ')}`);
  // One scrape for the three counters: a late redelivery must not fall between two reads.
  const counters = await fetch(`${pipeline.ingestUrl}/metrics`).then((r) => r.text());
  const read = (name: string) => metricFrom(counters, name);
  const received = read('greenwatch_ingest_messages_in_total');
  const accepted = read('greenwatch_ingest_accepted_total');
  const rejected = read('greenwatch_ingest_rejected_total');
  rssPeak = Math.max(rssPeak, await rssBytes(pid));
  const rssEnd = await rssBytes(pid);
  console.log(`fuzz | sent ${sent} (+${VALID_PER_DEVICE * okDevices.length} valid) | received ${received} | accepted ${accepted} | rejected ${rejected} | ingest RSS at 50% ${Math.round(rssHalf / 1048576)} MiB, end ${Math.round(rssEnd / 1048576)} MiB, peak ${Math.round(rssPeak / 1048576)} MiB`);
  // QoS 1 is at least once: a message may come twice (after a reconnect), never not at all.
  assert.ok(received >= expectedReceived, `every message reached the ingest (${received} of ${expectedReceived})`);
  assert.equal(accepted + rejected, received);
  assert.ok(rejected > sent * 0.5, 'most fuzz is rejected');

  // No crash.
  assert.equal(pipeline.ingestChild!.exitCode, null, 'the ingest is running');
  assert.equal(((await (await fetch(`${pipeline.ingestUrl}/health`)).json()) as { status: string }).status, 'ok');

  // No valid reading lost, each exactly as sent.
  const connection = influx.connection('gw_fuzz');
  const measurements = [...DEVICE_TYPES, MEASUREMENTS.event];
  await waitFor(() => countByDevice(connection, measurements), (c) => okDevices.every((d) => c.get(d.deviceId) === VALID_PER_DEVICE), { timeoutMs: 60_000 });
  const rows = new Map<string, Record<string, unknown>[]>();
  for (const m of measurements) rows.set(m, await readPoints(connection, m, `"community" = 'ok'`));
  const expected = okDevices.flatMap((d) => Array.from({ length: VALID_PER_DEVICE }, (_, k) => testMessage(d, k, T0).expected));
  assert.deepEqual(diffPoints(expected, rows), []);

  // Nothing invalid stored: every stored fuzz point keeps the contract's invariants, checked here
  // independently of the ingest's validator.
  const allowed: Record<string, string[]> = {
    noise: ['laeq', 'lmax', 'lmin', 'l10', 'l50', 'l90', 'battery', 'energy', 'seq'],
    waste_bin: ['fillPct', 'tempC', 'weightKg', 'lidOpen', 'seq'],
    ev_charger: ['state', 'powerKw', 'energyKwh', 'currentA', 'tempC', 'seq'],
    water_meter: ['totalM3', 'flowLpm', 'seq'],
    gas_meter: ['totalM3', 'flowM3h', 'methaneLel', 'valve', 'seq'],
    access_gate: ['doorClosed', 'gateOnline', 'seq'],
    device_event: ['lmax', 'code', 'energyKwh', 'methaneLel', 'method', 'seconds', 'seq', 'count'],
    device_status: ['online', 'battery', 'fw', 'rssi', 'seq'],
  };
  let storedFuzz = 0;
  for (const [measurement, fields] of Object.entries(allowed)) {
    for (const row of await readPoints(connection, measurement, `"community" <> 'ok'`)) {
      storedFuzz += 1;
      for (const tag of ['community', 'device']) assert.match(String(row[tag]), ID_PATTERN, `${measurement} ${tag}`);
      for (const [column, value] of Object.entries(row)) {
        if (value === null || ['time', 'community', 'device', 'compound', 'zone', 'category', 'deviceType', 'type'].includes(column)) continue;
        assert.ok(fields.includes(column), `${measurement}: unexpected field ${column}=${JSON.stringify(value)}`);
        if (typeof value === 'number') assert.ok(Number.isFinite(value), `${measurement}.${column} finite`);
        if (typeof value === 'string') assert.doesNotMatch(value, /[\u0000-\u001f]/, `${measurement}.${column} has no control characters`);
      }
      if (measurement === 'noise') {
        assert.ok((row.laeq as number) >= 20 && (row.laeq as number) <= 140, `laeq ${row.laeq}`);
        assert.ok(Math.abs((row.energy as number) / 10 ** ((row.laeq as number) / 10) - 1) < 1e-12, 'energy = 10^(laeq/10)');
      }
      if (measurement === 'waste_bin') assert.ok((row.fillPct as number) >= 0 && (row.fillPct as number) <= 100);
    }
  }
  assert.ok(storedFuzz <= accepted, 'no more fuzz points stored than accepted');

  // Memory flat: once the heap has grown to its working size (the first half of the run), the
  // second half, the same load again, adds less than 32 MiB.
  assert.ok(rssEnd - rssHalf < 32 * 1048576, `ingest RSS grew from ${rssHalf} to ${rssEnd} in the second half`);
  await Promise.all([...fuzzers, ...valid].map((c) => c.endAsync()));
});
