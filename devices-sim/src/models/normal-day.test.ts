import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GB3096_LIMITS, energyAverage } from '../acoustics.js';
import { type Body, readingsOf } from '../plan/run-readings.js';
import { ScenarioRun } from '../plan/scenario-run.js';
import { loadScenario } from '../scenario/catalogue.js';

/** Realism of an ordinary day (quiet-day), over a summer weekday and a winter Saturday, two seeds each. */
const DAYS = [
  { start: Date.parse('2026-07-15T00:00:00+08:00'), seed: 1 },
  { start: Date.parse('2026-01-10T00:00:00+08:00'), seed: 2 },
];

describe('an ordinary day (quiet-day)', async () => {
  const scenario = await loadScenario('quiet-day');
  const runs = DAYS.map((d) => {
    const run = new ScenarioRun(scenario, d);
    return { run, readings: readingsOf(run) };
  });
  const of = (type: string) => runs.flatMap(({ run, readings }) => run.devices.filter((d) => d.deviceType === type).map((d) => ({ run, device: d, r: readings.get(d.deviceId)! })));

  it('keeps every noise meter under its GB 3096 day and night limits, by energy, class-1 meters under 55 and 45', () => {
    for (const { run, device, r } of of('noise')) {
      const limits = GB3096_LIMITS[device.config.zone!];
      const day = energyAverage(r.telemetry.filter((t) => run.clock.isDay(t.ts)).map((t) => t.laeq as number));
      const night = energyAverage(r.telemetry.filter((t) => !run.clock.isDay(t.ts)).map((t) => t.laeq as number));
      assert.ok(day < limits.day - 2 && night < limits.night - 2, `${device.deviceId} (zone ${device.config.zone}): Ld ${day.toFixed(1)}, Ln ${night.toFixed(1)}`);
      // And it is not silence: a compliant area is a few dB under its limit, with a clear day/night difference.
      assert.ok(day > limits.day - 9 && night > limits.night - 10 && day - night > 6, `${device.deviceId}: Ld ${day.toFixed(1)}, Ln ${night.toFixed(1)}`);
      for (const t of r.telemetry) {
        const [lmin, l90, l50, l10, lmax] = [t.lmin, t.l90, t.l50, t.l10, t.lmax] as number[];
        assert.ok(lmin <= l90 && l90 <= l50 && l50 <= l10 && l10 <= lmax && (t.laeq as number) <= lmax && (t.laeq as number) >= l90, `ordered levels ${JSON.stringify(t)}`);
        if (!run.clock.isDay(t.ts)) assert.ok(lmax <= limits.night + 15, `no night burst on a normal night: ${JSON.stringify(t)}`);
      }
    }
  });

  it('peaks traffic noise in the morning and evening and is quietest between 01:00 and 04:00', () => {
    for (const { run, device, r } of of('noise')) {
      const hourly = (from: number, to: number) => energyAverage(r.telemetry.filter((t) => run.clock.local(t.ts).hour >= from && run.clock.local(t.ts).hour < to).map((t) => t.laeq as number));
      assert.ok(hourly(7, 9) > hourly(13, 15) && hourly(1, 4) < hourly(22, 24), `${device.deviceId}: shape`);
    }
  });

  it('fills no bin to 80 % and empties kitchen bins three times a day', () => {
    for (const { device, r } of of('waste_bin')) {
      const max = Math.max(...r.telemetry.map((t) => t.fillPct as number));
      assert.ok(max < 80, `${device.deviceId}: max fill ${max}`);
      assert.ok(r.telemetry.every((t) => (t.tempC as number) < 45 && t.category === device.config.category));
      if (device.config.category === 'kitchen') assert.equal(r.events.filter((e) => e.type === 'emptied').length, 3, device.deviceId);
      if (device.config.category !== 'hazardous') assert.ok(max > 15, `${device.deviceId} is used: max ${max}`);
    }
  });

  it('uses 150-600 L of water a household a day, mostly by day, with zero flow in most night minutes', () => {
    for (const { run, device, r } of of('water_meter')) {
      const used = ((r.telemetry.at(-1)!.totalM3 as number) - (r.telemetry[0].totalM3 as number)) * 1000;
      assert.ok(used > 150 && used < 600, `${device.deviceId}: ${used.toFixed(0)} L`);
      const night = r.telemetry.filter((t) => { const h = run.clock.local(t.ts).hour; return h >= 2 && h < 5; });
      assert.ok(night.filter((t) => t.flowLpm === 0).length > night.length * 0.8, `${device.deviceId}: night zeros`);
      assert.ok(r.telemetry.every((t) => (t.flowLpm as number) <= 30), 'no burst-like flow');
      monotonic(r.telemetry, 'totalM3');
    }
  });

  it('burns 0.2-3 m³ of gas a household a day at meal times, with methane near 0 %LEL and the valve open', () => {
    for (const { run, device, r } of of('gas_meter')) {
      const used = (r.telemetry.at(-1)!.totalM3 as number) - (r.telemetry[0].totalM3 as number);
      assert.ok(used > 0.2 && used < 3, `${device.deviceId}: ${used.toFixed(2)} m³`);
      const flowing = r.telemetry.filter((t) => (t.flowM3h as number) > 0).map((t) => run.clock.local(t.ts).hour);
      assert.ok(flowing.every((h) => h >= 6 && h < 24), `${device.deviceId}: gas at night`);
      assert.ok(r.telemetry.every((t) => (t.methaneLel as number) < 3 && t.valve === 'open'));
      monotonic(r.telemetry, 'totalM3');
    }
  });

  it('charges cars in sessions of up to 7 kW with a cumulative register, temperature following load', () => {
    let sessions = 0;
    for (const { device, r } of of('ev_charger')) {
      const starts = r.events.filter((e) => e.type === 'session_start').length;
      const ends = r.events.filter((e) => e.type === 'session_end');
      // About 1.5 plug-ins a day per post: some posts see none on a given day.
      assert.ok(starts <= 8 && Math.abs(starts - ends.length) <= 1, `${device.deviceId}: ${starts} sessions`);
      sessions += starts;
      if (starts === 0) continue;
      const register = (r.telemetry.at(-1)!.energyKwh as number) - (r.telemetry[0].energyKwh as number);
      const delivered = ends.reduce((a, e) => a + (e.energyKwh as number), 0);
      assert.ok(register >= delivered - 0.01, `${device.deviceId}: register ${register} vs sessions ${delivered}`);
      monotonic(r.telemetry, 'energyKwh');
      const charging = r.telemetry.filter((t) => t.state === 'charging');
      const idle = r.telemetry.filter((t) => t.state === 'idle');
      assert.ok(charging.every((t) => (t.powerKw as number) <= 7.1 && (t.tempC as number) < 65));
      const mean = (xs: Body[]) => xs.reduce((a, t) => a + (t.tempC as number), 0) / xs.length;
      assert.ok(mean(charging) > mean(idle) + 5, `${device.deviceId}: warmer while charging`);
    }
    assert.ok(sessions >= 3, `${sessions} sessions on ${of('ev_charger').length} charger-days`);
  });

  it('opens gates a few hundred times a day, by face, card and QR, with a few denials and doors that close within seconds', () => {
    for (const { run, device, r } of of('access_gate')) {
      const opens = r.events.filter((e) => e.type === 'open');
      assert.ok(opens.length > 200 && opens.length < 900, `${device.deviceId}: ${opens.length} opens`);
      const methods = new Set(opens.map((e) => e.method));
      assert.ok(methods.has('face') && methods.has('card') && methods.has('qr'));
      const denied = r.events.filter((e) => e.type === 'denied').length;
      assert.ok(denied > 0 && denied < opens.length * 0.08);
      const rush = opens.filter((e) => { const h = run.clock.local(e.ts).hour; return h >= 7 && h < 9; }).length;
      const small = opens.filter((e) => { const h = run.clock.local(e.ts).hour; return h >= 1 && h < 3; }).length;
      assert.ok(rush > 5 * small, `${device.deviceId}: rush ${rush}, small hours ${small}`);
      let openedAt: number | undefined;
      for (const t of r.telemetry) {
        if (t.doorClosed === false) openedAt ??= t.ts;
        else if (openedAt !== undefined) {
          assert.ok(t.ts - openedAt < 60_000, `${device.deviceId}: door open ${t.ts - openedAt} ms`);
          openedAt = undefined;
        }
      }
      assert.ok(!r.events.some((e) => ['forced_open', 'held_open', 'tailgating'].includes(e.type as string)));
    }
  });
});

function monotonic(rows: Body[], field: string): void {
  for (let i = 1; i < rows.length; i++) assert.ok((rows[i][field] as number) >= (rows[i - 1][field] as number), `${field} never runs backwards`);
}
