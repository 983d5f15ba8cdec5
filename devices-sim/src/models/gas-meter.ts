import { roundTo } from '../acoustics.js';
import { MINUTE_MS } from '../local-time.js';
import { type DeviceModel, type Emission, activeIncident, incidentsOf, phaseOf, ticks } from './model.js';

/**
 * A household's smart gas meter (GB/T 6968 diaphragm meter with an IoT module, a shut-off valve
 * and a linked methane detector).
 *
 * Gas is used by the cooker at meal times (a burner draws ~0.35 m³/h of natural gas) and, in about
 * half of households, by an instantaneous water heater for evening showers (~1.5 m³/h). The
 * detector reads close to 0 %LEL. A leak raises methane over its ramp; at 25 %LEL, the first alarm
 * level GB/T 50493-2019 allows, the meter raises `leak_alarm` and closes its valve, which stays
 * closed until the incident ends (a technician has checked the flat and reopened it).
 */
const BURNER_M3H = 0.35;
const ALARM_LEL = 25;

interface Use {
  start: number;
  end: number;
  m3h: number;
}

/** Cooking and heating sessions of one local day, as [from, to, chance, burners, minutes] by meal. */
const MEALS: [number, number, number, number, [number, number]][] = [
  [6.5, 8, 0.6, 1, [8, 15]],
  [11, 12.5, 0.7, 2, [20, 40]],
  [17.5, 19.5, 0.95, 2, [30, 60]],
];

export const gasMeter: DeviceModel = function* (ctx) {
  const { clock, rng } = ctx;
  const hasHeater = rng.chance(0.5);
  let registerM3 = rng.uniform(200, 4000);
  let uses: Use[] = [];
  let plannedDay = Number.NaN;
  let valveClosed = false;
  let lel = 0;
  const alarmed = new Set<number>();
  const phase = phaseOf(ctx);
  let previous = ctx.start + phase - ctx.intervalMs;
  for (const t of ticks(ctx, phase)) {
    const local = clock.local(t);
    if (local.day !== plannedDay) {
      plannedDay = local.day;
      uses = uses.filter((u) => u.end > t);
      const at = (hour: number) => clock.fromLocal(local.day, 0) + hour * 3_600_000;
      for (const [from, to, chance, burners, [min, max]] of MEALS) {
        if (!rng.chance(chance)) continue;
        const start = at(rng.uniform(from, to));
        uses.push({ start, end: start + rng.uniform(min, max) * MINUTE_MS, m3h: burners * BURNER_M3H * rng.uniform(0.7, 1) });
      }
      if (hasHeater) {
        for (let n = rng.poisson(1.5); n > 0; n--) {
          const start = at(rng.uniform(19, 23));
          uses.push({ start, end: start + rng.uniform(6, 14) * MINUTE_MS, m3h: rng.uniform(1.2, 1.8) });
        }
      }
    }
    const events: Emission[] = [];
    const leak = activeIncident(ctx, 'gas_leak', t);
    const sensor = Math.max(0, rng.normal(0.3, 0.3));
    if (leak) {
      const peak = leak.params.peakLel as number;
      lel = peak * Math.min(1, (t - leak.start) / ((leak.params.rampMinutes as number) * MINUTE_MS)) + sensor;
      if (lel >= ALARM_LEL && !alarmed.has(leak.start)) {
        alarmed.add(leak.start);
        valveClosed = true;
        events.push({ ts: t - 2, channel: 'event', body: { type: 'leak_alarm', methaneLel: roundTo(lel, 1) } });
        events.push({ ts: t - 1, channel: 'event', body: { type: 'valve_closed' } });
      }
    } else {
      // After a leak the gas disperses (time constant ~10 minutes) and the valve is reopened.
      lel = Math.max(sensor, lel * Math.exp(-(t - previous) / (10 * MINUTE_MS)));
      if (valveClosed && incidentsOf(ctx, 'gas_leak').every((i) => t >= i.end)) valveClosed = false;
    }
    let m3 = 0;
    if (!valveClosed) for (const u of uses) m3 += (u.m3h * Math.max(0, Math.min(t, u.end) - Math.max(previous, u.start))) / 3_600_000;
    registerM3 += m3;
    yield* events;
    yield {
      ts: t,
      channel: 'telemetry',
      body: { totalM3: roundTo(registerM3, 3), flowM3h: roundTo((m3 * 3_600_000) / (t - previous), 3), methaneLel: roundTo(Math.min(100, lel), 1), valve: valveClosed ? 'closed' : 'open' },
    };
    previous = t;
  }
};
