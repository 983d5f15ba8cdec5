import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { PubackGate } from './puback-gate.js';

/** A gate over a socket stand-in that records what reached it. */
function gateOverSink(): { gate: PubackGate; sent: string[]; out: Writable } {
  const sent: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sent.push(chunk.toString());
      callback();
    },
  });
  return { gate: new PubackGate(out), sent, out };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('PubackGate', () => {
  it('passes writes straight through while no QoS 1 message waits to be stored', async () => {
    const { gate, sent } = gateOverSink();
    gate.write('connack');
    gate.write('suback');
    await settled();
    assert.deepEqual(sent, ['connack', 'suback']);
  });

  it('holds what is written after a message came in until it is stored, in order', async () => {
    const { gate, sent } = gateOverSink();
    const ticket = gate.received();
    gate.write('puback 1');
    gate.write('publish to this client');
    await settled();
    assert.deepEqual(sent, []);
    gate.stored(ticket);
    gate.write('pingresp');
    await settled();
    assert.deepEqual(sent, ['puback 1', 'publish to this client', 'pingresp']);
  });

  it('a write waits only for the messages received before it', async () => {
    const { gate, sent } = gateOverSink();
    const first = gate.received();
    gate.write('puback 1');
    const second = gate.received();
    gate.write('puback 2');
    gate.stored(first);
    await settled();
    assert.deepEqual(sent, ['puback 1'], 'a publisher that never pauses still gets its acknowledgements');
    gate.stored(second);
    await settled();
    assert.deepEqual(sent, ['puback 1', 'puback 2']);
  });

  it('messages stored out of order release nothing until the older ones are stored too', async () => {
    const { gate, sent } = gateOverSink();
    const first = gate.received();
    gate.write('puback 1');
    const second = gate.received();
    gate.write('puback 2');
    gate.stored(second);
    gate.stored(second); // a second call for one ticket changes nothing
    await settled();
    assert.deepEqual(sent, []);
    gate.stored(first);
    await settled();
    assert.deepEqual(sent, ['puback 1', 'puback 2'], '[MQTT-4.6.0-2] acknowledgements in the order of their PUBLISHes');
  });

  it('ends the connection after what it holds has gone out', async () => {
    const { gate, sent, out } = gateOverSink();
    const ticket = gate.received();
    gate.write('puback 1');
    gate.end();
    await settled();
    assert.equal(out.writableEnded, false);
    gate.stored(ticket);
    await settled();
    assert.deepEqual(sent, ['puback 1']);
    assert.equal(out.writableEnded, true);
  });

  it('destroying the gate destroys the connection and drops what it held', async () => {
    const { gate, sent, out } = gateOverSink();
    const ticket = gate.received();
    gate.write('puback 1');
    gate.destroy();
    gate.stored(ticket);
    await settled();
    assert.deepEqual(sent, []);
    assert.equal(out.destroyed, true);
  });

  it('tells when a message waits too long to be stored (the broker then closes the connection), and not otherwise', async () => {
    const stuck: number[] = [];
    const out = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const gate = new PubackGate(out, (waited) => stuck.push(waited), 60);
    const stored = gate.received();
    gate.stored(stored);
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(stuck, [], 'a stored message is no reason');
    const held = gate.received();
    gate.storedButHeld(held);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(stuck, [], 'stored but held for room is not stuck');
    gate.stored(held);
    gate.received();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(stuck.length, 1);
    assert.ok(stuck[0] >= 60);
    gate.destroy();
  });
});
