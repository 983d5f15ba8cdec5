import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AckGate } from './ack-gate.js';

/** An mqtt.js handleMessage callback that records how it was called: 'ack' or the error's message. */
function recorder() {
  const calls: string[] = [];
  return { calls, ack: (error?: Error) => calls.push(error ? `withheld: ${error.message}` : 'ack') };
}

describe('AckGate', () => {
  it('acknowledges once both the handler has finished and mqtt.js asked, in either order', () => {
    const gate = new AckGate();
    const first = recorder();
    const a = {};
    gate.handleMessage(a, first.ack);
    assert.deepEqual(first.calls, []);
    gate.finish(a);
    assert.deepEqual(first.calls, ['ack']);

    const second = recorder();
    const b = {};
    gate.finish(b);
    gate.handleMessage(b, second.ack);
    assert.deepEqual(second.calls, ['ack']);
  });

  it('holds acknowledgements while hold() is true and sends them in order on resume()', () => {
    let hold = true;
    const gate = new AckGate(() => hold);
    const order: string[] = [];
    for (const name of ['a', 'b']) {
      const packet = {};
      gate.handleMessage(packet, (error) => order.push(error ? `${name} withheld` : name));
      gate.finish(packet);
    }
    assert.deepEqual(order, []);
    assert.equal(gate.heldCount, 2);
    hold = false;
    gate.resume();
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(gate.heldCount, 0);
  });

  it('answers with an error while withhold() is true, so mqtt.js sends no PUBACK but reads on', () => {
    let stopping = false;
    const gate = new AckGate(() => false, () => stopping);
    stopping = true;
    const r = recorder();
    const packet = {};
    gate.handleMessage(packet, r.ack);
    gate.finish(packet);
    assert.deepEqual(r.calls, ['withheld: not acknowledged: the service is stopping']);
  });

  it('withholdHeld() answers the held ones with an error instead of leaving them waiting', () => {
    const gate = new AckGate(() => true);
    const r = recorder();
    const packet = {};
    gate.handleMessage(packet, r.ack);
    gate.finish(packet);
    assert.deepEqual(r.calls, []);
    gate.withholdHeld();
    assert.deepEqual(r.calls, ['withheld: not acknowledged: the service is stopping']);
    assert.equal(gate.heldCount, 0);
  });
});
