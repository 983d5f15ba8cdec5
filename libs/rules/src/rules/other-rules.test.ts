import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brief, engineFor, event, run, sh, telemetry } from '../fixtures.js';

const only = (rule: string) => (a: { rule: string }) => a.rule === rule;
const BIN = '{id: b-01, type: waste_bin, compound: c1, category: kitchen}';
const bin = (time: string, fillPct: number, extra = {}) => telemetry('waste_bin', 'b-01', sh(time), { fillPct, category: 'kitchen', ...extra });

describe('waste rules (criterion 5)', () => {
  it('waste.overflow: warning at 80, critical at 95 (same alert), clears below 50 — not at 60', () => {
    const alerts = run(engineFor([BIN]), [bin('08:00', 79), bin('08:10', 80), bin('08:20', 96), bin('08:30', 60), bin('08:40', 49)]).filter(only('waste.overflow'));
    assert.deepEqual(alerts.map(brief), ['raised warning waste.overflow b-01 08:10 value=80 threshold=80', 'raised critical waste.overflow b-01 08:20 value=96 threshold=95', 'cleared critical waste.overflow b-01 08:40 value=49 threshold=95']);
  });
  it('waste.overflow clears on an emptied event', () => {
    const alerts = run(engineFor([BIN]), [bin('08:00', 85), event('waste_bin', 'b-01', sh('08:05'), 'emptied')]).filter(only('waste.overflow'));
    assert.deepEqual(alerts.map((a) => a.state), ['raised', 'cleared']);
  });
  it('waste.not_emptied: ≥ 80% for more than 4 hours, through a dip to 79%', () => {
    const readings = [bin('08:00', 81), bin('10:00', 79), bin('12:00', 82), bin('12:01', 82), event('waste_bin', 'b-01', sh('13:00'), 'emptied')];
    const alerts = run(engineFor([BIN]), readings).filter(only('waste.not_emptied'));
    assert.deepEqual(alerts.map(brief), ['raised warning waste.not_emptied b-01 12:01 value=4 threshold=80', 'cleared warning waste.not_emptied b-01 13:00 value=4 threshold=80']);
  });
  it('waste.fire: 60 °C raises (critical), clears below 45 only', () => {
    const alerts = run(engineFor([BIN]), [bin('08:00', 10, { tempC: 59 }), bin('08:01', 10, { tempC: 61 }), bin('08:02', 10, { tempC: 50 }), bin('08:03', 10, { tempC: 44 })]).filter(only('waste.fire'));
    assert.deepEqual(alerts.map(brief), ['raised critical waste.fire b-01 08:01 value=61 threshold=60', 'cleared critical waste.fire b-01 08:03 value=44 threshold=60']);
  });
  it('honours a community override of a threshold (waste.overflow warning 85)', () => {
    const alerts = run(engineFor([BIN], { latenessMs: 0 }, ['rules:', '  waste.overflow: {warning: 85}']), [bin('08:00', 84), bin('08:10', 86)]).filter(only('waste.overflow'));
    assert.deepEqual(alerts.map(brief), ['raised warning waste.overflow b-01 08:10 value=86 threshold=85']);
  });
  it('waste.sorting_coverage: a compound without an online bin of each category, judged once every bin had its chance', () => {
    const bins = ['recyclable', 'hazardous', 'kitchen'].map((c, i) => `{id: b-0${i + 1}, type: waste_bin, compound: c1, category: ${c}}`);
    bins.push('{id: b-04, type: waste_bin, compound: c1, intervalS: 60}'); // no configured category: it says so itself
    const readings = Array.from({ length: 20 }, (_, i) => telemetry('waste_bin', `b-0${(i % 3) + 1}`, sh('08:00') + i * 60_000, { fillPct: 10, category: 'kitchen' }));
    readings.push(telemetry('waste_bin', 'b-04', sh('08:20'), { fillPct: 10, category: 'other' }));
    const alerts = run(engineFor(bins), readings).filter(only('waste.sorting_coverage'));
    // armed 15 minutes (3 × 300 s) after the clock started at 08:00; b-04 first reports (category "other") at 08:20
    assert.deepEqual(alerts.map(brief), ['raised warning waste.sorting_coverage c1 08:15 value=1 threshold=0', 'cleared warning waste.sorting_coverage c1 08:20 value=0 threshold=0']);
    assert.equal(alerts[0].context.missing, 'other');
    assert.equal(alerts[0].deviceId, undefined);
    assert.equal(alerts[0].compoundId, 'c1');
  });
});

const GATE = '{id: g-01, type: access_gate, compound: c1}';
describe('security rules (criterion 12)', () => {
  it('security.gate_forced: one critical alert however many forced_open events, cleared only by acknowledgement', () => {
    const engine = engineFor([GATE]);
    const alerts = run(engine, [event('access_gate', 'g-01', sh('03:00'), 'forced_open'), event('access_gate', 'g-01', sh('03:01'), 'forced_open'), telemetry('access_gate', 'g-01', sh('03:02'), { doorClosed: true })]).filter(only('security.gate_forced'));
    assert.deepEqual(alerts.map(brief), ['raised critical security.gate_forced g-01 03:00 value=1 threshold=1']);
    const cleared = engine.acknowledge(alerts[0].alertId);
    assert.deepEqual(cleared.map(brief), ['cleared critical security.gate_forced g-01 03:02 value=1 threshold=1']);
    assert.deepEqual(engine.acknowledge(alerts[0].alertId), []);
    // cleared: the next forced opening is a new alert
    const next = run(engine, [event('access_gate', 'g-01', sh('03:10'), 'forced_open'), telemetry('access_gate', 'g-01', sh('03:11'), { doorClosed: true })]).filter(only('security.gate_forced'));
    assert.equal(next.length, 1);
    assert.notEqual(next[0].alertId, alerts[0].alertId);
  });
  it('an acknowledgement does not clear a rule that clears by its own condition', () => {
    const engine = engineFor(['{id: n-01, type: noise, compound: c1, zone: "1"}']);
    const noise = run(engine, Array.from({ length: 40 }, (_, i) => telemetry('noise', 'n-01', sh('23:00') + i * 60_000, { laeq: 50 }))).filter(only('noise.zone_limit'));
    assert.equal(noise.length, 1);
    assert.deepEqual(engine.acknowledge(noise[0].alertId), []);
    assert.equal(engine.openAlerts().length, 1);
  });
  it('security.gate_held_open: doorClosed false for 60 s, or a held_open ≥ 60 s; clears when closed', () => {
    const t = (s: number, doorClosed: boolean) => telemetry('access_gate', 'g-01', sh('09:00') + s * 1000, { doorClosed });
    const alerts = run(engineFor([GATE]), [t(0, false), t(30, false), t(59, false), t(60, false), t(90, true), event('access_gate', 'g-01', sh('10:00'), 'held_open', { seconds: 75 }), t(3700, true)]).filter(only('security.gate_held_open'));
    assert.deepEqual(alerts.map(brief), [
      'raised warning security.gate_held_open g-01 09:01 value=60 threshold=60',
      'cleared warning security.gate_held_open g-01 09:01 value=60 threshold=60',
      'raised warning security.gate_held_open g-01 10:00 value=75 threshold=60',
      'cleared warning security.gate_held_open g-01 10:01 value=75 threshold=60',
    ]);
  });
  it('security.tailgating: 3 within 10 minutes (not 3 within 11), clears after 30 quiet minutes', () => {
    const tg = (time: string) => event('access_gate', 'g-01', sh(time), 'tailgating');
    const closed = (time: string) => telemetry('access_gate', 'g-01', sh(time), { doorClosed: true });
    const alerts = run(engineFor([GATE]), [tg('09:00'), tg('09:05'), tg('09:11'), tg('09:14'), closed('09:30'), closed('09:44')]).filter(only('security.tailgating'));
    assert.deepEqual(alerts.map(brief), ['raised warning security.tailgating g-01 09:14 value=3 threshold=3', 'cleared warning security.tailgating g-01 09:44 value=3 threshold=3']);
  });
});

describe('EV, gas and water rules (criteria 4 and 6)', () => {
  const EV = '{id: ev-01, type: ev_charger, compound: c1}';
  it('ev.fault from a fault event or state, cleared by another state', () => {
    const alerts = run(engineFor([EV]), [event('ev_charger', 'ev-01', sh('09:00'), 'fault', { code: 'E12' }), telemetry('ev_charger', 'ev-01', sh('09:01'), { state: 'fault' }), telemetry('ev_charger', 'ev-01', sh('09:02'), { state: 'idle' })]).filter(only('ev.fault'));
    assert.deepEqual(alerts.map((a) => `${a.state} ${a.severity}`), ['raised warning', 'cleared warning']);
  });
  it('ev.overtemp only while charging; 95 °C escalates; clears below 65', () => {
    const ev = (time: string, state: string, tempC: number) => telemetry('ev_charger', 'ev-01', sh(time), { state, tempC });
    const alerts = run(engineFor([EV]), [ev('09:00', 'idle', 85), ev('09:01', 'charging', 81), ev('09:02', 'charging', 96), ev('09:03', 'idle', 70), ev('09:04', 'idle', 64)]).filter(only('ev.overtemp'));
    assert.deepEqual(alerts.map(brief), ['raised warning ev.overtemp ev-01 09:01 value=81 threshold=80', 'raised critical ev.overtemp ev-01 09:02 value=96 threshold=80', 'cleared critical ev.overtemp ev-01 09:04 value=64 threshold=80']);
  });
  it('gas.leak: 20 %LEL warning, 50 critical, a leak_alarm event; clears below 10', () => {
    const GAS = '{id: gm-01, type: gas_meter, compound: c1}';
    const g = (time: string, methaneLel: number) => telemetry('gas_meter', 'gm-01', sh(time), { totalM3: 1, methaneLel });
    const alerts = run(engineFor([GAS]), [g('09:00', 19), g('09:01', 20), g('09:02', 12), g('09:03', 9), event('gas_meter', 'gm-01', sh('09:04'), 'leak_alarm', { methaneLel: 55 })]).filter(only('gas.leak'));
    assert.deepEqual(alerts.map(brief), ['raised warning gas.leak gm-01 09:01 value=20 threshold=20', 'cleared warning gas.leak gm-01 09:03 value=9 threshold=20', 'raised critical gas.leak gm-01 09:04 value=55 threshold=20']);
  });
  const WATER = '{id: w-01, type: water_meter, compound: c1}';
  it('water.leak: flow above 30 L/min for 10 minutes is a burst; a zero-flow reading clears', () => {
    const w = (i: number, flowLpm: number) => telemetry('water_meter', 'w-01', sh('09:00') + i * 60_000, { totalM3: 100 + i, flowLpm });
    const alerts = run(engineFor([WATER]), [...Array.from({ length: 12 }, (_, i) => w(i, 35)), w(12, 0)]).filter(only('water.leak'));
    assert.deepEqual(alerts.map(brief), ['raised critical water.leak w-01 09:09 value=35 threshold=30', 'cleared critical water.leak w-01 09:12 value=0 threshold=30']);
  });
  it('water.leak: flow that never stops between 02:00 and 05:00 local, from the register alone', () => {
    // 0.001 m³ per 10 minutes = 0.1 L/min, from 01:50 to 05:10 local; judged at the first reading after 05:00
    const readings = Array.from({ length: 21 }, (_, i) => telemetry('water_meter', 'w-01', sh('01:50') + i * 600_000, { totalM3: 100 + i * 0.001 }));
    const alerts = run(engineFor([WATER]), readings).filter(only('water.leak'));
    assert.deepEqual(alerts.map(brief), ['raised warning water.leak w-01 05:00 value=0.1 threshold=0']);
    assert.equal(alerts[0].context.reason, 'night_flow');
    // one zero-flow interval in the night: nothing
    const quiet = readings.map((m, i) => (i >= 8 ? { ...m, fields: { totalM3: (m.fields.totalM3 as number) - 0.001 } } : m));
    assert.deepEqual(run(engineFor([WATER]), quiet).filter(only('water.leak')), []);
  });
});
