import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionStore, type StoredPacket, packetKey, queuedCost } from './session-store.js';

const packet = (counter: number, payload: string): StoredPacket => ({ cmd: 'publish', brokerId: 'b', brokerCounter: counter, topic: 'gc/c1/noise/n-1/telemetry', payload: Buffer.from(payload), qos: 1, retain: false, dup: false });

describe('SessionStore queuedBytes', () => {
  it('follows what the queues hold through enqueue, replace and acknowledgement', () => {
    const store = new SessionStore();
    const first = packet(1, '{"seq":1}');
    store.apply({ t: 'enqueue', clientIds: ['ingest', 'rules'], packet: first });
    assert.equal(store.queuedBytes, 2 * queuedCost(first));
    // aedes replaces an entry in place (a PUBREL for the PUBLISH): the old entry's cost goes, the new one's comes
    const replacement = { ...packet(1, '{"seq":1,"longer":true}'), messageId: 7 };
    store.apply({ t: 'replace', clientId: 'ingest', key: packetKey(first), packet: replacement });
    assert.equal(store.queuedBytes, queuedCost(first) + queuedCost(replacement));
    store.apply({ t: 'acked', clientId: 'ingest', key: packetKey(first) });
    store.apply({ t: 'acked', clientId: 'rules', key: packetKey(first) });
    assert.equal(store.queuedBytes, 0);
  });
});
