import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RULES_CLEARED_BY_ACKNOWLEDGEMENT, parseAlertAck } from './alerts.js';
import { ALERT_ACKS_SUBSCRIPTION, DEVICE_SUBSCRIPTIONS, alertAcksTopic, alertsTopic, topicMatchesFilter } from './topics.js';

describe('AlertAck: a person handled an alert (api -> rules)', () => {
  const ack = { alertId: 'a-1', rule: 'security.gate_forced', action: 'acknowledged', by: '张工', at: 1764345600000 };

  it('reads a well-formed acknowledgement', () => {
    assert.deepEqual(parseAlertAck(Buffer.from(JSON.stringify(ack))), { ok: true, ack });
    assert.deepEqual(parseAlertAck(Buffer.from(JSON.stringify({ ...ack, action: 'resolved', extra: 1 }))), { ok: true, ack: { ...ack, action: 'resolved' } });
  });

  it('names what is wrong with anything else', () => {
    const reason = (body: unknown) => {
      const r = parseAlertAck(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
      return r.ok ? 'ok' : r.reason;
    };
    assert.equal(reason('{'), 'not JSON');
    assert.equal(reason(null), 'not an object');
    assert.match(reason({ ...ack, alertId: '' }), /^alertId/);
    assert.match(reason({ ...ack, rule: 'security.nope' }), /^rule/);
    assert.match(reason({ ...ack, action: 'closed' }), /^action/);
    assert.match(reason({ ...ack, by: 3 }), /^by/);
    assert.match(reason({ ...ack, at: '2026-01-01' }), /^at/);
  });

  it('has its own topic, apart from the alerts and the device channels', () => {
    assert.equal(alertAcksTopic('demo'), 'gc/demo/alerts/acks');
    assert.equal(topicMatchesFilter('gc/demo/alerts/acks', ALERT_ACKS_SUBSCRIPTION), true);
    assert.equal(topicMatchesFilter(alertsTopic('demo'), ALERT_ACKS_SUBSCRIPTION), false);
    assert.equal(topicMatchesFilter('gc/demo/alerts/acks', 'gc/+/alerts'), false, 'the api\'s own alert subscription does not see them');
    for (const filter of Object.values(DEVICE_SUBSCRIPTIONS)) assert.equal(topicMatchesFilter('gc/demo/alerts/acks', filter), false, filter);
  });

  it('only security.gate_forced clears by acknowledgement', () => {
    assert.deepEqual([...RULES_CLEARED_BY_ACKNOWLEDGEMENT], ['security.gate_forced']);
  });
});
