import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { tempDir } from '#testing';
import { JournaledPersistence } from './journaled-persistence.js';
import { decodeOp, encodeOp } from './op-codec.js';
import type { Op, StoredPacket } from './session-store.js';

const BROKER = { id: 'broker-a' };
const ingest = { id: 'greenwatch-ingest' };
const rules = { id: 'greenwatch-rules' };
let counter = 0;

function publish(topic: string, payload = `{"seq":${counter}}`): StoredPacket {
  counter++;
  return { cmd: 'publish', brokerId: BROKER.id, brokerCounter: counter, topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false };
}

async function collect<T>(stream: Readable): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item as T);
  return out;
}

async function open(dir: string, options: { compactBytes?: number; fsync?: boolean } = {}): Promise<JournaledPersistence> {
  const persistence = JournaledPersistence.open({ dir, ...options });
  await persistence.setup(BROKER);
  return persistence;
}

/** The queue of `client` holds exactly `expected`, in order. */
async function assertQueued(p: JournaledPersistence, client: { id: string }, expected: StoredPacket[]): Promise<StoredPacket[]> {
  const queued = await collect<StoredPacket>(p.outgoingStream(client));
  assert.deepEqual(
    queued.map((q) => q.brokerCounter),
    expected.map((q) => q.brokerCounter),
  );
  return queued;
}

/** Subscribes ingest and rules, queues `n` messages for both, sends and acknowledges the first `acked`. */
async function traffic(p: JournaledPersistence, n: number, acked: number): Promise<StoredPacket[]> {
  await p.addSubscriptions(ingest, [{ topic: 'gc/+/+/+/telemetry', qos: 1 }]);
  await p.addSubscriptions(rules, [{ topic: 'gc/#', qos: 1 }]);
  const packets: StoredPacket[] = [];
  for (let i = 0; i < n; i++) {
    const packet = publish(`gc/c1/noise/n-${i % 7}/telemetry`);
    packets.push(packet);
    const subs = await p.subscriptionsByTopic(packet.topic);
    void p.outgoingEnqueueCombi(subs, packet);
  }
  await p.outgoingEnqueueCombi([], publish('gc/x')); // resolves; nothing to wait for
  for (let i = 0; i < acked; i++) {
    for (const client of [ingest, rules]) {
      const messageId = (i % 65535) + 1;
      await p.outgoingUpdate(client, { ...packets[i], messageId });
      const cleared = await p.outgoingClearMessageId(client, { messageId });
      assert.equal(cleared?.brokerCounter, packets[i].brokerCounter);
    }
  }
  return packets;
}

describe('JournaledPersistence', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('greenwatch-sessions-');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('keeps subscriptions and unacknowledged messages across a restart, in order', async () => {
    const first = await open(dir.path);
    const packets = await traffic(first, 500, 200);
    await first.close();

    const second = await open(dir.path);
    assert.deepEqual(await second.subscriptionsByClient(ingest), [{ topic: 'gc/+/+/+/telemetry', qos: 1 }]);
    assert.deepEqual(
      (await second.subscriptionsByTopic('gc/c1/noise/n-1/telemetry')).map((s) => s.clientId).sort(),
      [ingest.id, rules.id].sort(),
    );
    for (const client of [ingest, rules]) {
      const queued = await assertQueued(second, client, packets.slice(200));
      assert.equal(queued[0].payload.toString(), packets[200].payload.toString());
      // identifiers given by the stopped broker are forgotten: aedes gives fresh ones
      assert.ok(queued.every((p) => p.messageId === undefined));
    }
    assert.deepEqual(await second.countOffline(), { subsCount: 2, clientsCount: 2 });
    await second.close();
  });

  it('matches subscriptions as aedes delivers: `+` matches an empty level [MQTT-4.7.1-3]', async () => {
    const p = await open(dir.path);
    await p.addSubscriptions(ingest, [{ topic: 'gc/+/+/+/telemetry', qos: 1 }]);
    for (const topic of ['gc/c1/noise/n-1/telemetry', 'gc/c1/noise//telemetry', 'gc///n-1/telemetry']) {
      assert.deepEqual((await p.subscriptionsByTopic(topic)).map((s) => s.clientId), [ingest.id], topic);
    }
    assert.deepEqual(await p.subscriptionsByTopic('gc/c1/noise/n-1/x/telemetry'), []);
    await p.storeRetained({ ...publish('gc//status'), retain: true });
    assert.equal((await collect<StoredPacket>(p.createRetainedStream('gc/+/status'))).length, 1);
    await p.close();
  });

  it('writes the ops of one turn of the event loop with one write', async () => {
    const p = await open(dir.path);
    const before = p.stats.batches;
    const subs = [{ clientId: ingest.id, topic: 'gc/#', qos: 1 }];
    await Promise.all(Array.from({ length: 1000 }, () => p.outgoingEnqueueCombi(subs, publish('gc/c1/noise/n-1/telemetry'))));
    assert.equal(p.stats.batches - before, 1);
    assert.equal(p.stats.queuedMessages, 1000);
    await p.close();
  });

  it('an acknowledgement clears the message last sent with that packet identifier', async () => {
    const p = await open(dir.path);
    await p.addSubscriptions(ingest, [{ topic: 'gc/#', qos: 1 }]);
    const a = publish('gc/a');
    const b = publish('gc/b');
    await p.outgoingEnqueueCombi([{ clientId: ingest.id }], a);
    await p.outgoingEnqueueCombi([{ clientId: ingest.id }], b);
    await p.outgoingUpdate(ingest, { ...a, messageId: 7 });
    await p.outgoingUpdate(ingest, { ...b, messageId: 7 }); // identifier reused: a was sent before with 7
    const cleared = await p.outgoingClearMessageId(ingest, { messageId: 7 });
    assert.equal(cleared?.topic, 'gc/b');
    assert.deepEqual((await collect<StoredPacket>(p.outgoingStream(ingest))).map((x) => x.topic), ['gc/a']);
    assert.equal(await p.outgoingClearMessageId(ingest, { messageId: 99 }), undefined);
    await assert.rejects(p.outgoingUpdate(ingest, { ...publish('gc/never-queued'), messageId: 3 }), /no such packet/);
    await p.close();
  });

  it('QoS 2: a PUBREL takes the place of its PUBLISH and is kept across a restart with its identifier', async () => {
    const first = await open(dir.path);
    const m = publish('gc/q2');
    await first.outgoingEnqueueCombi([{ clientId: ingest.id }], m);
    await first.outgoingUpdate(ingest, { ...m, messageId: 11 });
    await first.outgoingUpdate(ingest, { cmd: 'pubrel', brokerId: BROKER.id, brokerCounter: ++counter, topic: '', payload: Buffer.alloc(0), qos: 0, retain: false, dup: false, messageId: 11 });
    await first.incomingStorePacket(rules, { ...publish('gc/in'), qos: 2, messageId: 5 });
    await first.close();
    const second = await open(dir.path);
    const [pubrel] = await collect<StoredPacket>(second.outgoingStream(ingest));
    assert.equal(pubrel.cmd, 'pubrel');
    assert.equal(pubrel.messageId, 11);
    assert.equal((await second.incomingGetPacket(rules, { messageId: 5 })).topic, 'gc/in');
    await second.incomingDelPacket(rules, { messageId: 5 });
    await assert.rejects(second.incomingGetPacket(rules, { messageId: 5 }), /no such packet/);
    assert.equal((await second.outgoingClearMessageId(ingest, { messageId: 11 }))?.cmd, 'pubrel');
    await second.close();
  });

  it('keeps retained messages and wills; an empty retained payload deletes', async () => {
    const first = await open(dir.path);
    await first.storeRetained({ ...publish('gc/c1/status'), retain: true, payload: Buffer.from('up') });
    await first.storeRetained({ ...publish('gc/c2/status'), retain: true, payload: Buffer.from('up') });
    await first.storeRetained({ ...publish('gc/c2/status'), retain: true, payload: Buffer.alloc(0) });
    await first.putWill(ingest, { ...publish('gc/c1/will'), payload: Buffer.from('gone') });
    await first.close();
    const second = await open(dir.path);
    const retained = await collect<StoredPacket>(second.createRetainedStreamCombi(['gc/+/status']));
    assert.deepEqual(retained.map((r) => `${r.topic}=${r.payload}`), ['gc/c1/status=up']);
    const [will] = await collect<StoredPacket>(second.streamWill({}));
    assert.equal(will.brokerId, BROKER.id);
    assert.equal(will.clientId, ingest.id);
    assert.deepEqual(await collect(second.streamWill({ [BROKER.id]: true })), []);
    assert.equal((await second.delWill(ingest))?.payload.toString(), 'gone');
    assert.equal(await second.getWill(ingest), undefined);
    await second.close();
  });

  it('compacts the journal into a snapshot without changing what a restart sees', async () => {
    const first = await open(dir.path, { compactBytes: 20_000 });
    const packets = await traffic(first, 400, 350);
    assert.ok(first.stats.compactions >= 2, `compactions: ${first.stats.compactions}`);
    await first.close();
    const files = readdirSync(dir.path).sort();
    assert.equal(files.filter((f) => f.startsWith('journal-')).length, 1, files.join(' '));
    const second = await open(dir.path);
    await assertQueued(second, rules, packets.slice(350));
    await second.close();
  });

  it('drops a last line cut short by a crash; refuses a damaged line elsewhere, naming it', async () => {
    const first = await open(dir.path);
    await traffic(first, 10, 0);
    await first.close();
    const journal = readdirSync(dir.path).find((f) => f.startsWith('journal-'))!;
    appendFileSync(join(dir.path, journal), '["E",["greenwatch-ingest"],["publish","b');
    const second = await open(dir.path);
    assert.equal(second.stats.queuedMessages, 20);
    await second.close();

    const snapshot = join(dir.path, 'snapshot.jsonl');
    const lines = readFileSync(snapshot, 'utf8').split('\n');
    lines.splice(2, 0, '{"not":"an op"}');
    writeFileSync(snapshot, lines.join('\n'));
    assert.throws(() => JournaledPersistence.open({ dir: dir.path }), /snapshot\.jsonl:3: unreadable broker session line/);
  });

  it('with fsync (MQTT_PERSISTENCE_FSYNC) keeps the same state across a restart', async () => {
    const first = await open(dir.path, { fsync: true });
    const packets = await traffic(first, 50, 20);
    await first.close();
    const second = await open(dir.path);
    await assertQueued(second, ingest, packets.slice(20));
    await second.close();
  });

  it('refuses ops after close', async () => {
    const p = await open(dir.path);
    await p.close();
    await assert.rejects(p.storeRetained({ ...publish('gc/late'), retain: true }), /closed/);
  });
});

describe('op codec', () => {
  it('round-trips every op, with binary payloads and MQTT 5 properties', () => {
    const packet: StoredPacket = { ...publish('gc/c1/noise/n-1/telemetry'), payload: Buffer.from([0, 255, 10, 13, 34]), messageId: 9, clientId: 'n-1', nl: true, properties: { correlationData: Buffer.from('abc'), userProperties: { a: '1' } }, messageExpiry: 1234 };
    const ops: Op[] = [
      { t: 'retain', packet },
      { t: 'subscribe', clientId: 'c', subs: [{ topic: 'gc/#', qos: 1, subscriptionIdentifier: 4 }] },
      { t: 'unsubscribe', clientId: 'c', topics: ['gc/#'] },
      { t: 'clearSubscriptions', clientId: 'c' },
      { t: 'enqueue', clientIds: ['a', 'b'], packet },
      { t: 'queued', clientId: 'a', key: 'k:1', packet },
      { t: 'sent', clientId: 'a', key: 'k:1', messageId: 3 },
      { t: 'replace', clientId: 'a', key: 'k:1', packet },
      { t: 'acked', clientId: 'a', key: 'k:1' },
      { t: 'incoming', clientId: 'a', packet },
      { t: 'incomingDone', clientId: 'a', messageId: 3 },
      { t: 'clearIncoming', clientId: 'a' },
      { t: 'will', clientId: 'a', packet },
      { t: 'willDone', clientId: 'a' },
    ];
    for (const op of ops) {
      const line = encodeOp(op);
      assert.ok(!line.includes('\n'));
      assert.deepEqual(decodeOp(line), op);
    }
    assert.throws(() => decodeOp('["Z"]'), /unknown op/);
    assert.throws(() => decodeOp('["E","not-a-list"]'), /expected an array/);
  });
});
