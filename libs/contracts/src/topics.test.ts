import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANNELS, DEVICE_TYPES, ID_PATTERN, isChannel, isDeviceType, isId } from './ids.js';
import { DEVICE_SUBSCRIPTIONS, INVALID_COMMUNITY, alertsTopic, deviceTopic, deviceTopicPrefix, parseDeviceTopic, quote, rejectedTopic } from './topics.js';

describe('ids', () => {
  it('accept the contract pattern ^[a-z0-9][a-z0-9_-]{0,63}$', () => {
    for (const id of ['a', '0', 'n-01', 'c_1', 'a'.repeat(64), '9-_']) assert.equal(isId(id), true, id);
  });

  it('refuse uppercase, leading - or _, 65 characters, empty, wildcards, slashes, spaces, non-ASCII, non-strings', () => {
    for (const id of ['A', 'Dev', '-a', '_a', 'a'.repeat(65), '', '+', '#', 'a+', 'a#', 'a/b', 'a b', 'ä', 'a.b', 'a\n']) assert.equal(isId(id), false, JSON.stringify(id));
    assert.equal(isId(1), false);
    assert.equal(isId(undefined), false);
  });

  it('the pattern is anchored (no partial match on a longer string)', () => {
    assert.equal(ID_PATTERN.test('ok\nBAD'), false);
  });

  it('device types and channels are exactly the contract lists', () => {
    assert.deepEqual([...DEVICE_TYPES], ['noise', 'waste_bin', 'ev_charger', 'water_meter', 'gas_meter', 'access_gate']);
    assert.deepEqual([...CHANNELS], ['telemetry', 'event', 'status']);
    assert.equal(isDeviceType('noise'), true);
    assert.equal(isDeviceType('Noise'), false);
    assert.equal(isDeviceType('toString'), false);
    assert.equal(isChannel('event'), true);
    assert.equal(isChannel('events'), false);
  });
});

describe('topics', () => {
  const address = { communityId: 'demo', deviceType: 'waste_bin' as const, deviceId: 'b-01' };

  it('builds the contract topics', () => {
    assert.equal(deviceTopic(address, 'telemetry'), 'gc/demo/waste_bin/b-01/telemetry');
    assert.equal(deviceTopic(address, 'event'), 'gc/demo/waste_bin/b-01/event');
    assert.equal(deviceTopic(address, 'status'), 'gc/demo/waste_bin/b-01/status');
    assert.equal(deviceTopicPrefix(address), 'gc/demo/waste_bin/b-01/');
    assert.equal(alertsTopic('demo'), 'gc/demo/alerts');
    assert.equal(rejectedTopic('demo'), 'gc/demo/rejected');
  });

  it('subscriptions of the ingest service cover the three device channels', () => {
    assert.deepEqual(DEVICE_SUBSCRIPTIONS, { telemetry: 'gc/+/+/+/telemetry', event: 'gc/+/+/+/event', status: 'gc/+/+/+/status' });
  });

  it('_invalid can never be a community id', () => {
    assert.equal(isId(INVALID_COMMUNITY), false);
  });

  it('round-trips build -> parse for every type and channel', () => {
    for (const deviceType of DEVICE_TYPES) {
      for (const channel of CHANNELS) {
        const a = { communityId: 'c-9', deviceType, deviceId: 'x_1' };
        assert.deepEqual(parseDeviceTopic(deviceTopic(a, channel)), { ok: true, topic: { ...a, channel } });
      }
    }
  });

  const bad: [string, RegExp, string | undefined][] = [
    ['gc/demo/noise/n-01', /^topic: expected gc\/\{communityId\}\/\{deviceType\}\/\{deviceId\}\/\{channel\}, got "gc\/demo\/noise\/n-01"$/, undefined],
    ['gc/demo/noise/n-01/telemetry/x', /^topic: expected gc\//, undefined],
    ['/gc/demo/noise/n-01/telemetry', /^topic: expected gc\//, undefined],
    ['GC/demo/noise/n-01/telemetry', /^topic: expected gc\//, undefined],
    ['gc/alerts', /^topic: expected gc\//, undefined],
    ['gc/demo/alerts', /^topic: expected gc\//, undefined],
    ['gc/Demo/noise/n-01/telemetry', /^topic communityId: expected \/\^\[a-z0-9\]\[a-z0-9_-\]\{0,63\}\$\/, got "Demo"$/, undefined],
    ['gc//noise/n-01/telemetry', /^topic communityId: .*got ""$/, undefined],
    ['gc/demo/fridge/n-01/telemetry', /^topic deviceType: expected one of noise, waste_bin, ev_charger, water_meter, gas_meter, access_gate, got "fridge"$/, 'demo'],
    ['gc/demo/noise/N-01/telemetry', /^topic deviceId: expected .*, got "N-01"$/, 'demo'],
    ['gc/demo/noise/+/telemetry', /^topic deviceId: .*got "\+"$/, 'demo'],
    ['gc/demo/noise/#/telemetry', /^topic deviceId: .*got "#"$/, 'demo'],
    ['gc/demo/noise/n-01/telemetry ', /^topic channel: expected telemetry, event or status, got "telemetry "$/, 'demo'],
    ['gc/demo/noise/n-01/rejected', /^topic channel: .*got "rejected"$/, 'demo'],
  ];
  for (const [t, reason, community] of bad) {
    it(`refuses ${JSON.stringify(t)} with a reason naming the segment`, () => {
      const r = parseDeviceTopic(t);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.match(r.reason, reason);
      assert.equal(r.communityId, community);
    });
  }

  it('checks segments in order: communityId before deviceType before deviceId before channel', () => {
    const r = parseDeviceTopic('gc/demo/fridge/N/x');
    assert.ok(!r.ok && r.reason.startsWith('topic deviceType'));
  });
});

describe('quote', () => {
  it('JSON-quotes and cuts to 60 characters with an ellipsis', () => {
    assert.equal(quote('a'), '"a"');
    assert.equal(quote(5), '5');
    assert.equal(quote(undefined), 'undefined');
    assert.equal(quote('x'.repeat(100)), `"${'x'.repeat(59)}…`);
    assert.equal(quote('x'.repeat(10), 5), '"xxxx…');
  });

  it('survives values JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(quote(cyclic), '[object Object]');
    assert.equal(quote(10n), '10');
  });
});

describe('topicMatchesFilter (MQTT 3.1.1 section 4.7)', async () => {
  const { topicMatchesFilter } = await import('./topics.js');
  const cases: [string, string, boolean][] = [
    ['gc/demo/noise/n-01/telemetry', 'gc/+/+/+/telemetry', true],
    ['gc/demo/noise//telemetry', 'gc/+/+/+/telemetry', true], // + matches an empty level [MQTT-4.7.1-3]
    ['gc//noise/n/telemetry', 'gc/+/+/+/telemetry', true],
    ['gc/demo/noise/n-01/event', 'gc/+/+/+/telemetry', false],
    ['gc/demo/noise/n-01/telemetry/x', 'gc/+/+/+/telemetry', false],
    ['gc/demo/noise/telemetry', 'gc/+/+/+/telemetry', false],
    ['gc/demo/alerts', 'gc/#', true],
    ['gc', 'gc/#', true], // # includes the parent level [MQTT-4.7.1-2]
    ['$SYS/broker/clients', '#', false], // [MQTT-4.7.2-1]
    ['$SYS/broker/clients', '+/broker/clients', false],
    ['$SYS/broker/clients', '$SYS/#', true],
  ];
  for (const [topic, filter, expected] of cases) {
    it(`${JSON.stringify(topic)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(filter)}`, () => {
      assert.equal(topicMatchesFilter(topic, filter), expected);
    });
  }
});
