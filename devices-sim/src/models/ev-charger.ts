import { roundTo } from '../acoustics.js';
import { MINUTE_MS } from '../local-time.js';
import { ambientC } from './weather.js';
import { type DeviceModel, type Emission, activeIncident, phaseOf, ticks } from './model.js';

/**
 * A 7 kW AC charging post (GB/T 18487.1 mode 3, 32 A at 220 V) in a residential car park.
 *
 * Residents plug in mostly when they come home (17:00–22:00), a few by day. A session draws the
 * car's on-board charger limit (6.6–7 kW, some older cars 3.3 kW) at constant current, then tapers
 * over the last ~15 % of the energy the car needs (constant voltage), then ends. The post's
 * temperature follows its load with a thermal time constant of ~12 minutes, about 2 °C per kW
 * over ambient, so a summer evening's full-power session stays in the 50s °C.
 */
const VOLTS = 220;
const KELVIN_PER_KW = 2.2;
const THERMAL_TAU_MIN = 12;
/** Mean plug-ins per hour by local hour: about 1.5 a day, mostly when residents come home. */
const ARRIVALS_BY_HOUR = [0.01, 0.01, 0.0, 0.0, 0.0, 0.0, 0.02, 0.03, 0.05, 0.05, 0.05, 0.04, 0.05, 0.05, 0.04, 0.04, 0.06, 0.13, 0.2, 0.22, 0.2, 0.14, 0.07, 0.04];

interface Session {
  started: number;
  needKwh: number;
  deliveredKwh: number;
  maxKw: number;
  /** A session that ends at a fixed time (the car of an overheat incident is unplugged when it ends). */
  until?: number;
}

export const evCharger: DeviceModel = function* (ctx) {
  const { clock, rng } = ctx;
  let registerKwh = rng.uniform(800, 6000);
  let tempC = ambientC(clock, ctx.start) + 2;
  let session: Session | undefined;
  let nextArrival = ctx.start;
  let faultUntil = 0;
  const phase = phaseOf(ctx);
  let previous = ctx.start + phase - ctx.intervalMs;
  const overheatsStarted = new Set<number>();
  for (const t of ticks(ctx, phase)) {
    const events: Emission[] = [];
    const hours = (t - previous) / 3_600_000;
    const fault = activeIncident(ctx, 'charger_fault', t);
    const overheat = activeIncident(ctx, 'overheat', t);
    if (fault && faultUntil < fault.end) {
      faultUntil = fault.end;
      if (session) events.push(...endSession(session, fault.start));
      session = undefined;
      events.push({ ts: fault.start + 1, channel: 'event', body: { type: 'fault', code: fault.params.code as string } });
    }
    if (overheat && !overheatsStarted.has(overheat.start) && !session) {
      // The incident is a car charging through a loose contact: it starts with a long session.
      overheatsStarted.add(overheat.start);
      session = { started: overheat.start, needKwh: 80, deliveredKwh: 0, maxKw: 7, until: overheat.end };
      events.push({ ts: overheat.start, channel: 'event', body: { type: 'session_start' } });
    }
    if (!session && !fault && t >= nextArrival) {
      // Poisson arrivals: the chance that someone plugged in during this interval.
      if (rng.chance(1 - Math.exp(-ARRIVALS_BY_HOUR[Math.floor(clock.local(t).hour)] * hours))) {
        const maxKw = rng.chance(0.15) ? 3.3 : rng.uniform(6.6, 7);
        session = { started: t - rng.int(ctx.intervalMs), needKwh: rng.uniform(6, 40), deliveredKwh: 0, maxKw };
        events.push({ ts: session.started, channel: 'event', body: { type: 'session_start' } });
      }
    }
    let powerKw = 0;
    if (session && !fault) {
      // Constant current, then a linear taper over the last 15 % (constant voltage), a minute's ramp at the start.
      const remaining = session.needKwh - session.deliveredKwh;
      const taper = Math.min(1, remaining / (0.15 * session.needKwh));
      const ramp = Math.min(1, (t - session.started) / MINUTE_MS);
      powerKw = Math.max(1.2, session.maxKw * taper) * ramp * rng.uniform(0.98, 1.01);
      const energy = Math.min(remaining, powerKw * hours);
      session.deliveredKwh += energy;
      registerKwh += energy;
      if (session.deliveredKwh >= session.needKwh - 1e-9 || (session.until !== undefined && t >= session.until)) {
        events.push(...endSession(session, t - 1));
        session = undefined;
        powerKw = 0;
        nextArrival = t + rng.exponential(60) * MINUTE_MS; // the car leaves before the next one comes
      }
    }
    const normalTarget = ambientC(clock, t) + 2 + KELVIN_PER_KW * powerKw;
    tempC = normalTarget + (tempC - normalTarget) * Math.exp((-hours * 60) / THERMAL_TAU_MIN);
    let reported = tempC;
    if (overheat && powerKw > 0) {
      // A hot spot at the contact climbs to the peak over 20 minutes.
      const progress = Math.min(1, (t - overheat.start) / (20 * MINUTE_MS));
      reported = Math.max(tempC, tempC + ((overheat.params.peakC as number) - tempC) * progress);
      tempC = reported;
    }
    const state = fault ? 'fault' : powerKw > 0 ? 'charging' : 'idle';
    yield* events.sort((a, b) => a.ts - b.ts);
    yield {
      ts: t,
      channel: 'telemetry',
      body: { state, powerKw: roundTo(powerKw, 2), energyKwh: roundTo(registerKwh, 3), currentA: roundTo((powerKw * 1000) / VOLTS, 1), tempC: roundTo(reported + rng.normal(0, 0.2), 1) },
    };
    previous = t;
  }
};

function endSession(session: Session, ts: number): Emission[] {
  return [{ ts, channel: 'event', body: { type: 'session_end', energyKwh: roundTo(session.deliveredKwh, 3) } }];
}
