import assert from 'node:assert/strict';
import { pbkdf2 } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, connectAsync } from 'mqtt';
import { tempDir } from '#testing';
import { MqttBroker, type MqttBrokerOptions } from './mqtt-broker.js';
import { decodeOp } from './op-codec.js';

/** Payloads of the messages queued for persistent sessions, as the journal files hold them now. */
function journaledPayloads(dir: string): Set<string> {
  const payloads = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => /^journal-\d+\.jsonl$/.test(n))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!line) continue;
      const op = decodeOp(line);
      if (op.t === 'enqueue') payloads.add(op.packet.payload.toString());
    }
  }
  return payloads;
}

/** A loopback broker on a free port, anyone may connect, sessions kept in `dir`. */
function anonymousBroker(dir: string): MqttBrokerOptions {
  return { port: 0, bind: '127.0.0.1', allowAnonymous: true, service: { username: '', password: '' }, credentials: { verify: async () => [] }, persistenceDir: dir };
}

/**
 * Keeps every thread of libuv's pool busy for a while, as a slow disk would: with fsync on, the
 * journal's write(2) and fdatasync run there, so they wait, while network I/O (a PUBACK) does not.
 * (Without fsync the write is synchronous and the window is a single turn of the event loop.)
 */
function slowDisk(): Promise<unknown> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  return Promise.all(Array.from({ length: threads }, () => new Promise((resolve, reject) => pbkdf2('busy', 'salt', 1_000_000, 32, 'sha256', (error, key) => (error ? reject(error) : resolve(key))))));
}

describe('MqttBroker with persistent sessions', () => {
  let dir: { path: string; remove(): Promise<void> };
  let broker: MqttBroker;
  let url: string;
  before(async () => {
    dir = await tempDir('greenwatch-broker-');
    broker = await MqttBroker.create({ ...anonymousBroker(dir.path), persistenceFsync: true });
    url = `mqtt://127.0.0.1:${await broker.listen()}`;
  });
  after(async () => {
    await broker.close();
    await dir.remove();
  });

  it('acknowledges a QoS 1 message (PUBACK) only once it is queued in the journal: kill -9 cannot lose it', async () => {
    // An offline persistent session: what the broker acknowledges, it owes this subscriber.
    const ingest = await connectAsync(url, { clientId: 'ingest', clean: false });
    await ingest.subscribeAsync('gc/#', { qos: 1 });
    await ingest.endAsync();
    const device = await connectAsync(url, { clientId: 'device', reconnectPeriod: 0 });
    try {
      for (let i = 0; i < 3; i++) {
        const disk = slowDisk();
        await device.publishAsync('gc/c1/noise/n-1/telemetry', `reading ${i}`, { qos: 1 });
        // The PUBACK has arrived: were the broker killed now, the journal is all it would have.
        assert.ok(journaledPayloads(dir.path).has(`reading ${i}`), `reading ${i} acknowledged before it was journaled`);
        await disk;
      }
      // Publishing without waiting: every acknowledgement still follows its own journal line.
      const disk = slowDisk();
      const acked = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          await device.publishAsync('gc/c1/noise/n-1/telemetry', `burst ${i}`, { qos: 1 });
          return journaledPayloads(dir.path).has(`burst ${i}`);
        }),
      );
      await disk;
      assert.deepEqual(acked.flatMap((ok, i) => (ok ? [] : [i])), [], 'burst messages acknowledged before they were journaled');
    } finally {
      await device.endAsync();
    }
  });
});

describe('MqttBroker: queue memory budget', () => {
  it('holds PUBACKs while the persistent sessions\' queues are over budget, sends them once a consumer catches up; nothing lost', async () => {
    const dir = await tempDir('greenwatch-broker-budget-');
    const logs: string[] = [];
    const broker = await MqttBroker.create({ ...anonymousBroker(dir.path), queueBudgetBytes: 20_000, log: (_level, line) => logs.push(line) });
    const url = `mqtt://127.0.0.1:${await broker.listen()}`;
    try {
      const offline = await connectAsync(url, { clientId: 'consumer', clean: false });
      await offline.subscribeAsync('gc/#', { qos: 1 });
      await offline.endAsync();
      const device = await connectAsync(url, { clientId: 'budget-device', reconnectPeriod: 0 });
      const payload = 'x'.repeat(500);
      let acked = 0;
      const publishes = Array.from({ length: 60 }, (_, i) => device.publishAsync('gc/c1/noise/n-1/telemetry', `${i} ${payload}`, { qos: 1 }).then(() => acked++));
      // ~800 bytes queued per message: about 25 fit; the rest are stored but not acknowledged (nor,
      // the gate keeping PUBACKs in order, those that came in with them).
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(acked < 60, `acknowledged while over budget: ${acked}`);
      assert.match(logs.join('\n'), /over MQTT_QUEUE_BUDGET_MB: holding PUBACKs/);
      assert.match(broker.metricsRegistry.render(), /greenwatch_broker_acks_held\{service="broker"\} [1-9]/);

      const received: string[] = [];
      // Listening before the CONNACK: the queued messages follow it at once.
      const consumer = connect(url, { clientId: 'consumer', clean: false, reconnectPeriod: 0 });
      consumer.on('message', (_topic, message) => received.push(message.toString().split(' ')[0]));
      await new Promise((resolve) => consumer.once('connect', resolve));
      await Promise.all(publishes);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(acked, 60);
      assert.deepEqual([...new Set(received)].map(Number).sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i));
      assert.match(logs.join('\n'), /back under MQTT_QUEUE_BUDGET_MB/);
      await consumer.endAsync();
      await device.endAsync();
    } finally {
      await broker.close();
      await dir.remove();
    }
  });
});
