import assert from 'node:assert/strict';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Aedes } from 'aedes';
import { type MqttClient, connectAsync } from 'mqtt';
import { type LoadMessageSource, type WallClock, runLoad } from '#sim';

/**
 * Load mode's hooks against a real MQTT broker (aedes, in this process): a `message` hook decides
 * what each device publishes (the benchmark's devices come in this way), rate 0 sends as fast as
 * the windows allow, a tail follows the measured phase, and the summary counts what was sent.
 */
let broker: Aedes;
let server: Server;
let url: string;
let watcher: MqttClient;
let received: { topic: string; payload: string }[] = [];

before(async () => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  watcher = await connectAsync(url, { clientId: 'sim-load-test-watcher', reconnectPeriod: 0 });
  watcher.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await watcher.subscribeAsync('gc/#', { qos: 1 });
});
after(async () => {
  await watcher?.endAsync();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  server?.close();
});

interface Call {
  device: number;
  seq: number;
  nowMs: number;
}

/** A hook that records its calls: device d publishes {device, seq} on gc/{community}/noise/h-d/telemetry. */
function recordingHook(community: string): { message: LoadMessageSource; calls: Call[] } {
  const calls: Call[] = [];
  const message: LoadMessageSource = (device, seq, nowMs) => {
    calls.push({ device, seq, nowMs });
    return { topic: `gc/${community}/noise/h-${device}/telemetry`, payload: JSON.stringify({ ts: nowMs, device, seq }), kind: device % 3 === 0 ? 'third' : 'other' };
  };
  return { message, calls };
}

async function receivedOf(community: string, count: number): Promise<{ device: number; seq: number }[]> {
  const mine = () => received.filter((m) => m.topic.startsWith(`gc/${community}/`));
  const deadline = Date.now() + 10_000;
  while (mine().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return mine().map((m) => JSON.parse(m.payload) as { device: number; seq: number });
}

/** Each device's seqs in the order given. */
function seqsByDevice(messages: { device: number; seq: number }[]): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const m of messages) map.set(m.device, [...(map.get(m.device) ?? []), m.seq]);
  return map;
}

describe('load mode hooks against a real broker', () => {
  it('publishes what the message hook returns, round-robin over the devices, with per-device seq and kind counts', async () => {
    const { message, calls } = recordingHook('hook');
    const summary = await runLoad({ url, devices: 7, rate: 2000, durationS: 0.5, qos: 1, connections: 2, window: 16, message });
    assert.deepEqual([summary.errors, summary.acknowledged, summary.measuredSent, summary.targetRate], [0, summary.sent, summary.sent, 2000]);
    assert.equal(calls.length, summary.sent);
    assert.ok(summary.sent >= 500 && summary.sent <= 1000, `sent ${summary.sent} of 1000 due`);
    assert.ok(calls.every((c, i) => c.device === i % 7), 'message n is device n mod 7');
    for (const [device, seqs] of seqsByDevice(calls)) assert.deepEqual(seqs, seqs.map((_, i) => i), `device ${device} counts its own messages from 0`);
    const thirds = calls.filter((c) => c.device % 3 === 0).length;
    assert.deepEqual(summary.sentByKind, { third: thirds, other: calls.length - thirds });
    const bytes = calls.reduce((n, c) => n + Buffer.byteLength(JSON.stringify({ ts: c.nowMs, device: c.device, seq: c.seq })), 0);
    assert.equal(summary.payloadBytes, Math.round(bytes / calls.length));
    assert.ok(calls.every((c, i) => c.nowMs >= summary.startedAt && c.nowMs <= summary.publishedUntil && (i === 0 || c.nowMs >= calls[i - 1].nowMs)), 'stamped with the publish time, epoch ms');
    assert.ok(summary.publishedUntil <= summary.acknowledgedAt);

    const got = await receivedOf('hook', summary.sent);
    assert.equal(got.length, summary.sent, 'the broker delivered every message the hook made');
    const sorted = new Map([...seqsByDevice(got)].map(([d, s]) => [d, [...s].sort((a, b) => a - b)]));
    assert.deepEqual(sorted, seqsByDevice(calls), 'each device published exactly its seqs (in any order across the two connections)');
  });

  it('at rate 0 sends as fast as the windows allow, then the tail: one device at the interval, its seq going on', async () => {
    const { message, calls } = recordingHook('tail');
    const summary = await runLoad({ url, devices: 5, rate: 0, durationS: 0.3, qos: 1, connections: 2, window: 8, message, tail: { durationS: 0.3, intervalMs: 50, device: 2 } });
    assert.deepEqual([summary.errors, summary.acknowledged, summary.behind, summary.targetRate], [0, summary.sent, 0, 0]);
    assert.ok(summary.measuredSent > 2 * 8 * 3, `${summary.measuredSent} sent: the windows were refilled as acknowledgements came`);
    const tail = calls.slice(summary.measuredSent);
    assert.ok(tail.length >= 1 && tail.length <= 7, `${tail.length} tail messages in 0.3 s at one per 50 ms`);
    assert.ok(tail.every((c) => c.device === 2 && c.nowMs >= summary.publishedUntil));
    const measuredOfDevice2 = calls.slice(0, summary.measuredSent).filter((c) => c.device === 2).length;
    assert.deepEqual(tail.map((c) => c.seq), tail.map((_, i) => measuredOfDevice2 + i));
    assert.equal((await receivedOf('tail', summary.sent)).length, summary.sent);
  });

  it('sends what is due on the injected clock', async () => {
    let now = 0;
    // Fake time, but a real event-loop turn per tick so that the broker's acknowledgements come in.
    const clock: WallClock = { now: () => now, sleep: async (ms) => { now += ms; await new Promise((r) => setImmediate(r)); } };
    const progress: number[] = [];
    const summary = await runLoad({ url, devices: 10, rate: 1000, durationS: 1, qos: 1, connections: 4, window: 256, clock, communityId: 'clocked', onProgress: (p) => progress.push(p.elapsedS) });
    // 1000 due over one second of fake ticks of 10 ms; the tick at 1000 ms ends the run.
    assert.ok(summary.sent >= 990 && summary.sent <= 1000, `sent ${summary.sent}`);
    assert.deepEqual([summary.errors, summary.behind, summary.sentByKind.noise > 0], [0, 0, true]);
    assert.deepEqual(progress, [0.5, 1], 'progress every 500 ms of the clock, and at the end');
  });

  it('rejects a negative rate and a tail device outside the devices before connecting', async () => {
    await assert.rejects(runLoad({ url: 'mqtt://127.0.0.1:1', devices: 5, rate: -1, durationS: 1, qos: 1, connections: 1 }), RangeError);
    await assert.rejects(runLoad({ url: 'mqtt://127.0.0.1:1', devices: 5, rate: 10, durationS: 1, qos: 1, connections: 1, tail: { durationS: 1, intervalMs: 50, device: 5 } }), RangeError);
  });
});
