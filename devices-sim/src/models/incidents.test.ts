import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combineLevels, energyAverage } from '../acoustics.js';
import { type Body, type DeviceReadings, readingsOf } from '../plan/run-readings.js';
import { ScenarioRun } from '../plan/scenario-run.js';
import { loadScenario } from '../scenario/catalogue.js';

/**
 * Each incident changes the signal as described: demo (one incident of each kind) against the
 * same day, seed and devices with no incidents.
 */
describe('incidents change the signal', async () => {
  const demo = await loadScenario('demo');
  const start = Date.parse('2026-07-15T00:00:00+08:00');
  const run = new ScenarioRun(demo, { start, seed: 1 });
  const baseline = new ScenarioRun({ ...demo, incidents: [] }, { start, seed: 1 });
  const withIncidents = readingsOf(run);
  const without = readingsOf(baseline);
  const incident = (kind: string) => {
    const i = run.incidents.find((x) => x.kind === kind)!;
    const during = (rows: Body[]) => rows.filter((t) => t.ts > i.start && t.ts <= i.end);
    return { i, r: withIncidents.get(i.device)!, base: without.get(i.device)!, during };
  };
  const leq = (rows: Body[]) => energyAverage(rows.map((t) => t.laeq as number));
  const max = (rows: Body[], f: string) => Math.max(...rows.map((t) => t[f] as number));

  it('covers every incident kind', () => {
    assert.equal(new Set(run.incidents.map((i) => i.kind)).size, 17);
  });

  it('party: the music adds to the background by energy, not by adding decibels', () => {
    const { i, r, base, during } = incident('party');
    const background = leq(during(base.telemetry));
    const measured = leq(during(r.telemetry));
    const predicted = combineLevels(background, i.params.level as number);
    assert.ok(Math.abs(measured - predicted) < 1.5, `Leq ${measured.toFixed(1)} vs energy sum ${predicted.toFixed(1)} of ${background.toFixed(1)} and ${i.params.level}`);
    assert.ok(measured < background + (i.params.level as number) - 30, 'far below an arithmetic sum');
    assert.ok(max(during(r.telemetry), 'lmax') > 69 && max(during(r.telemetry), 'lmax') <= 74.5);
    assert.ok(during(r.telemetry).filter((t) => t.ts > i.start + 60_000).every((t) => (t.l90 as number) > background), 'a continuous source lifts L90 (every whole minute)');
  });

  for (const kind of ['construction', 'renovation'] as const) {
    it(`${kind}: a loud intermittent source raises Leq and Lmax, less L90`, () => {
      const { i, r, base, during } = incident(kind);
      const rows = during(r.telemetry);
      assert.ok(leq(rows) > leq(during(base.telemetry)) + 8, `${leq(rows)} vs ${leq(during(base.telemetry))}`);
      assert.ok(max(rows, 'lmax') > (i.params.lmax as number) - 6);
      const median = (f: string) => rows.map((t) => t[f] as number).sort((a, b) => a - b)[rows.length >> 1];
      assert.ok(median('l10') - median('l90') > 5, 'intermittent: L10 well above L90');
    });
  }

  it('horn: one horn event per blast, with its Lmax, in the minute it sounded', () => {
    const { i, r } = incident('horn');
    const horns = r.events.filter((e) => e.type === 'horn' && e.ts >= i.start && e.ts < i.end);
    assert.equal(horns.length, i.params.count);
    for (const h of horns) {
      assert.ok(Math.abs((h.lmax as number) - (i.params.lmax as number)) <= 1);
      const minute = r.telemetry.find((t) => t.ts >= h.ts)!;
      assert.ok((minute.lmax as number) >= (h.lmax as number) - 0.05);
    }
  });

  it('overflow: extra dumping fills the bin to the top; missed collection: no emptying while it lasts', () => {
    const o = incident('overflow');
    assert.ok(max(o.during(o.r.telemetry), 'fillPct') >= 95 && max(o.during(o.base.telemetry), 'fillPct') < 80);
    const m = incident('missed_collection');
    assert.equal(m.during(m.r.events).filter((e) => e.type === 'emptied').length, 0);
    assert.ok(m.during(m.base.events).filter((e) => e.type === 'emptied').length >= 2);
    assert.ok(max(m.during(m.r.telemetry), 'fillPct') >= 95);
  });

  it('bin fire: the temperature climbs far past 60 °C; contamination: the events it declares', () => {
    const f = incident('bin_fire');
    assert.ok(max(f.during(f.r.telemetry), 'tempC') > 90 && max(f.during(f.base.telemetry), 'tempC') < 45);
    const c = incident('contamination');
    assert.equal(c.during(c.r.events).filter((e) => e.type === 'contamination').length, c.i.params.count);
  });

  it('charger fault: state fault with a fault event and code, then idle; overheat: hot while charging', () => {
    const f = incident('charger_fault');
    const rows = f.during(f.r.telemetry);
    assert.ok(rows.length > 50 && rows.every((t) => t.state === 'fault' && t.powerKw === 0));
    assert.deepEqual(f.during(f.r.events).filter((e) => e.type === 'fault').map((e) => e.code), [f.i.params.code]);
    assert.notEqual(f.r.telemetry.find((t) => t.ts > f.i.end)!.state, 'fault');
    const o = incident('overheat');
    const hot = o.during(o.r.telemetry).filter((t) => t.state === 'charging' && (t.tempC as number) >= 80);
    assert.ok(hot.length > 10 && max(hot, 'tempC') <= (o.i.params.peakC as number) + 2);
  });

  it('water leak: flow never drops to zero at night; burst: far above 30 L/min', () => {
    const l = incident('water_leak');
    const night = (rows: Body[]) => rows.filter((t) => { const h = run.clock.local(t.ts).hour; return h >= 2 && h < 5; });
    assert.ok(night(l.r.telemetry).every((t) => (t.flowLpm as number) >= 1));
    assert.ok(night(l.base.telemetry).some((t) => t.flowLpm === 0));
    const b = incident('pipe_burst');
    assert.ok(b.during(b.r.telemetry).filter((t) => (t.flowLpm as number) > 40).length >= 25);
  });

  it('gas leak: methane climbs to its peak, the meter alarms at 25 %LEL and closes its valve', () => {
    const g = incident('gas_leak');
    const rows = g.during(g.r.telemetry);
    assert.ok(max(rows, 'methaneLel') >= (g.i.params.peakLel as number) - 1);
    const alarm = g.r.events.find((e) => e.type === 'leak_alarm')!;
    assert.ok((alarm.methaneLel as number) >= 25 && (alarm.methaneLel as number) < 30);
    assert.ok(g.r.events.some((e) => e.type === 'valve_closed' && e.ts >= alarm.ts));
    assert.ok(rows.filter((t) => t.ts > alarm.ts).every((t) => t.valve === 'closed' && t.flowM3h === 0));
    assert.ok(g.r.telemetry.filter((t) => t.ts > g.i.end + 3_600_000).every((t) => t.valve === 'open' && (t.methaneLel as number) < 3));
  });

  it('gates: forced open, held open, tailgating and offline each do what they say', () => {
    const f = incident('forced_open');
    const forced = f.r.events.find((e) => e.type === 'forced_open')!;
    const closed = f.r.telemetry.find((t) => t.ts > forced.ts && t.doorClosed === true)!;
    assert.ok(Math.abs(closed.ts - forced.ts - (f.i.params.openSeconds as number) * 1000) < 1000);
    const h = incident('held_open');
    assert.ok(h.during(h.r.telemetry).filter((t) => t.ts > h.i.start + 1000 && t.ts < h.i.end).every((t) => t.doorClosed === false));
    assert.equal(h.r.telemetry.find((t) => t.ts >= h.i.end)!.doorClosed, true);
    assert.deepEqual(h.during(h.r.events).filter((e) => e.type === 'held_open').map((e) => [e.ts - h.i.start, e.seconds]), [[60_000, 60]]);
    const t = incident('tailgating');
    assert.equal(t.during(t.r.events).filter((e) => e.type === 'tailgating').length, t.i.params.count);
    const o = incident('gate_offline');
    assert.deepEqual(o.r.connection.map((s) => [s.kind, s.ts - o.i.start]), [['drop', 0], ['reconnect', o.i.end - o.i.start]]);
    assert.equal([...o.r.telemetry, ...o.r.events].filter((x) => x.ts >= o.i.start && x.ts < o.i.end).length, 0);
    // Back online: a retained status right after reconnecting (1 ms after, ts stay strictly increasing).
    assert.deepEqual(o.r.status.map((s) => [s.ts - run.start, s.online]), [[0, true], [o.i.end - run.start + 1, true]]);
  });

  it('leaves devices without incidents unchanged', () => {
    const untouched = run.devices.filter((d) => !run.incidents.some((i) => i.device === d.deviceId));
    assert.ok(untouched.length > 10);
    const same = (a: DeviceReadings, b: DeviceReadings) => JSON.stringify(a) === JSON.stringify(b);
    for (const d of untouched) assert.ok(same(withIncidents.get(d.deviceId)!, without.get(d.deviceId)!), d.deviceId);
  });
});
