import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '#contracts';
import { type AlertView, acknowledge, applyRuleMessage, assign, resolve } from './alert-lifecycle.js';

const raise = (over: Partial<Alert> = {}): Alert => ({
  alertId: 'a1',
  rule: 'noise.zone_limit',
  criterion: '10',
  severity: 'warning',
  state: 'raised',
  communityId: 'demo',
  deviceId: 'n-01',
  deviceType: 'noise',
  at: 1000,
  raisedAt: 1000,
  value: 50,
  threshold: 45,
  message: { zh: '超标', en: 'over' },
  context: { window: '1h', period: 'night', zone: '1' },
  ...over,
});
const only = (steps: ReturnType<typeof applyRuleMessage>) => {
  assert.equal(steps.length, 1);
  return steps[0];
};

describe('applyRuleMessage', () => {
  it('a raise opens a new alert, by the rule, at event time', () => {
    const s = only(applyRuleMessage(undefined, raise(), 5000));
    assert.equal(s.action, 'raised');
    assert.equal(s.by, 'rule');
    assert.equal(s.at, 1000);
    assert.deepEqual({ state: s.alert.state, ruleState: s.alert.ruleState, raisedAt: s.alert.raisedAt, updatedAt: s.alert.updatedAt }, { state: 'open', ruleState: 'raised', raisedAt: 1000, updatedAt: 5000 });
  });

  it('the same raise again (redelivery) and an older message change nothing', () => {
    const open = only(applyRuleMessage(undefined, raise({ at: 2000 }), 1)).alert;
    assert.deepEqual(applyRuleMessage(open, raise({ at: 2000 }), 2), []);
    assert.deepEqual(applyRuleMessage(open, raise({ at: 1500, severity: 'critical' }), 2), []);
  });

  it('a forced gate cleared by its acknowledgement stays acknowledged for the person to resolve; any other acknowledged alert is resolved by its rule', () => {
    const forced = raise({ rule: 'security.gate_forced', criterion: '12', severity: 'critical', deviceId: 'g-01', deviceType: 'access_gate' });
    const acked = (acknowledge(only(applyRuleMessage(undefined, forced, 1)).alert, { by: 'li' }, 2) as { ok: true; steps: { alert: AlertView }[] }).steps[0].alert;
    const cleared = only(applyRuleMessage(acked, { ...forced, state: 'cleared', at: 3000 }, 3));
    assert.deepEqual([cleared.action, cleared.by, cleared.comment, cleared.alert.state, cleared.alert.ruleState, cleared.alert.clearedAt], ['cleared', 'rule', 'cleared by the acknowledgement', 'acknowledged', 'cleared', 3000]);
    const done = resolve(cleared.alert, { by: 'li', comment: 'lock fixed' }, 4);
    assert.ok(done.ok && done.steps[0].alert.state === 'resolved' && done.steps[0].alert.resolved?.automatic === false);

    const noise = (acknowledge(only(applyRuleMessage(undefined, raise(), 1)).alert, { by: 'li' }, 2) as { ok: true; steps: { alert: AlertView }[] }).steps[0].alert;
    const ended = only(applyRuleMessage(noise, raise({ state: 'cleared', at: 3000 }), 3));
    assert.deepEqual([ended.action, ended.alert.state], ['resolved', 'resolved']);
  });

  it('an escalation updates severity and value, keeps acknowledgement', () => {
    const open = only(applyRuleMessage(undefined, raise(), 1)).alert;
    const acked = (acknowledge(open, { by: 'li', comment: 'on it' }, 2) as { ok: true; steps: { alert: AlertView }[] }).steps[0].alert;
    const s = only(applyRuleMessage(acked, raise({ at: 3000, severity: 'critical', value: 60 }), 3));
    assert.equal(s.action, 'escalated');
    assert.equal(s.comment, 'warning -> critical');
    assert.deepEqual({ severity: s.alert.severity, value: s.alert.value, state: s.alert.state, by: s.alert.acknowledged?.by }, { severity: 'critical', value: 60, state: 'acknowledged', by: 'li' });
  });

  it('a clear resolves an open alert "by rule"; a second clear is nothing', () => {
    const open = only(applyRuleMessage(undefined, raise(), 1)).alert;
    const s = only(applyRuleMessage(open, raise({ state: 'cleared', at: 9000, value: 40 }), 10));
    assert.equal(s.action, 'resolved');
    assert.equal(s.comment, 'resolved by rule');
    assert.deepEqual(s.alert.resolved, { by: 'rule', at: 9000, automatic: true, comment: 'over' });
    assert.equal(s.alert.ruleState, 'cleared');
    assert.deepEqual(applyRuleMessage(s.alert, raise({ state: 'cleared', at: 9000 }), 11), []);
  });

  it('a clear after a person resolved it only notes that the condition ended', () => {
    const open = only(applyRuleMessage(undefined, raise(), 1)).alert;
    const done = (resolve(open, { by: 'li', comment: 'fixed' }, 2) as { ok: true; steps: { alert: AlertView }[] }).steps[0].alert;
    const s = only(applyRuleMessage(done, raise({ state: 'cleared', at: 9000 }), 3));
    assert.equal(s.action, 'cleared');
    assert.equal(s.alert.resolved?.by, 'li');
  });

  it('a clear for an alert never seen records the raise and the resolution', () => {
    const steps = applyRuleMessage(undefined, raise({ state: 'cleared', at: 9000, raisedAt: 1000 }), 10);
    assert.deepEqual(steps.map((s) => s.action), ['raised', 'resolved']);
    assert.equal(steps[1].alert.raisedAt, 1000);
  });
});

describe('person steps', () => {
  const open = only(applyRuleMessage(undefined, raise(), 1)).alert;
  it('acknowledge only an open alert; resolve anything not resolved', () => {
    const acked = acknowledge(open, { by: 'li' }, 2);
    assert.ok(acked.ok);
    const again = acknowledge(acked.steps[0].alert, { by: 'wang' }, 3);
    assert.deepEqual(again, { ok: false, code: 'conflict', message: 'alert a1 is acknowledged; only an open alert can be acknowledged' });
    const done = resolve(acked.steps[0].alert, { by: 'li', comment: 'fixed' }, 4);
    assert.ok(done.ok);
    assert.equal(resolve(done.steps[0].alert, { by: 'li', comment: 'x' }, 5).ok, false);
    assert.equal(assign(done.steps[0].alert, { by: 'li', assignee: 'wang' }, 5).ok, false);
  });
});
