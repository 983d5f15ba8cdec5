import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BrokerIdentity, canPublish, canSubscribe } from './access.js';

const n01: BrokerIdentity = { kind: 'device', devices: [{ communityId: 'demo', deviceType: 'noise', deviceId: 'n-01' }] };

describe('canPublish', () => {
  it('a device publishes on its own telemetry, event and status topics', () => {
    for (const channel of ['telemetry', 'event', 'status']) assert.equal(canPublish(n01, `gc/demo/noise/n-01/${channel}`), true, channel);
  });

  it('a device may use deeper levels of its own tree (contract: its own .../{deviceId}/#)', () => {
    assert.equal(canPublish(n01, 'gc/demo/noise/n-01/telemetry/extra'), true);
  });

  const outside = [
    'gc/demo/noise/n-02/telemetry', // another device of the same type
    'gc/demo/noise/n-0/telemetry', // a prefix of its id
    'gc/demo/noise/n-011/telemetry', // its id as a prefix of another
    'gc/demo/waste_bin/n-01/telemetry', // same id, another type
    'gc/other/noise/n-01/telemetry', // same id, another community
    'gc/demo/noise/n-01', // the device node itself, no channel
    'gc/demo/noise/n-01/', // empty channel
    'gc/demo/alerts', // the rules service's topic
    'gc/demo/rejected', // ingest's topic
    'gc/demo/noise/n-01x/telemetry',
    '$SYS/broker/uptime',
    'xgc/demo/noise/n-01/telemetry',
  ];
  for (const topic of outside) {
    it(`a device may not publish on ${topic}`, () => assert.equal(canPublish(n01, topic), false));
  }

  it('a device registered in two communities (same id) may publish in both, nowhere else', () => {
    const twice: BrokerIdentity = {
      kind: 'device',
      devices: [
        { communityId: 'a', deviceType: 'noise', deviceId: 'x' },
        { communityId: 'b', deviceType: 'gas_meter', deviceId: 'x' },
      ],
    };
    assert.equal(canPublish(twice, 'gc/a/noise/x/telemetry'), true);
    assert.equal(canPublish(twice, 'gc/b/gas_meter/x/event'), true);
    assert.equal(canPublish(twice, 'gc/a/gas_meter/x/event'), false);
    assert.equal(canPublish(twice, 'gc/c/noise/x/telemetry'), false);
  });

  it('a device with no registrations may publish nowhere', () => {
    assert.equal(canPublish({ kind: 'device', devices: [] }, 'gc/demo/noise/n-01/telemetry'), false);
  });

  it('service and anonymous publish everywhere', () => {
    for (const identity of [{ kind: 'service' }, { kind: 'anonymous' }] as BrokerIdentity[]) {
      for (const topic of ['gc/demo/alerts', 'gc/demo/rejected', 'gc/demo/noise/n-02/telemetry', 'anything/else']) assert.equal(canPublish(identity, topic), true, `${identity.kind} ${topic}`);
    }
  });
});

describe('canSubscribe', () => {
  it('a device subscribes inside its own tree', () => {
    assert.equal(canSubscribe(n01, 'gc/demo/noise/n-01/#'), true);
    assert.equal(canSubscribe(n01, 'gc/demo/noise/n-01/command'), true);
    assert.equal(canSubscribe(n01, 'gc/demo/noise/n-01/+'), true);
  });

  const outside = ['#', '+/#', 'gc/#', 'gc/demo/#', 'gc/demo/+/+/telemetry', 'gc/demo/noise/+/telemetry', 'gc/demo/noise/n-02/#', 'gc/demo/noise/n-0+/#', 'gc/demo/noise/n-01', 'gc/+/noise/n-01/#', 'gc/demo/alerts', 'gc/demo/rejected', '$SYS/#', '$share/g/gc/demo/noise/n-01/#'];
  for (const filter of outside) {
    it(`a device may not subscribe to ${filter}`, () => assert.equal(canSubscribe(n01, filter), false));
  }

  it('service and anonymous subscribe everywhere', () => {
    for (const identity of [{ kind: 'service' }, { kind: 'anonymous' }] as BrokerIdentity[]) {
      for (const filter of ['#', 'gc/+/+/+/telemetry', '$SYS/#']) assert.equal(canSubscribe(identity, filter), true);
    }
  });
});
