import { roundTo } from '../acoustics.js';
import { MINUTE_MS } from '../local-time.js';
import type { Prng } from '../prng.js';
import { type DeviceModel, activeIncident, phaseOf, ticks } from './model.js';

/**
 * A household's smart water meter (GB/T 778 class 2, 1 L register resolution): the cumulative
 * register and the mean flow over the interval.
 *
 * Use is a sum of fixtures switched on at random (a Poisson process per fixture whose rate depends
 * on the local hour): toilets, taps, showers mornings and evenings, the kitchen sink at meal times,
 * a washing machine. About 300 L a day for three people (China's urban residential average is
 * ~120 L per person per day), and nothing flows for most night minutes. A leak adds a small
 * constant flow (so the night never drops to zero); a burst a large one.
 */
interface Fixture {
  name: string;
  /** Uses per hour by local hour, for the household. */
  rate: (hour: number) => number;
  /** Flow (L/min) and duration (min) of one use. */
  use: (rng: Prng) => { lpm: number; minutes: number };
}

const at = (peaks: [number, number, number][]) => (h: number) => peaks.reduce((r, [from, to, v]) => (h >= from && h < to ? v : r), 0);
const FIXTURES: Fixture[] = [
  { name: 'toilet', rate: at([[0, 6, 0.12], [6, 9, 1.6], [9, 17, 0.6], [17, 23, 1.0], [23, 24, 0.4]]), use: (r) => ({ lpm: r.uniform(5, 7), minutes: r.uniform(0.8, 1.2) }) },
  { name: 'tap', rate: at([[6, 9, 2], [9, 17, 0.8], [17, 23, 1.5]]), use: (r) => ({ lpm: r.uniform(4, 7), minutes: r.uniform(0.2, 1) }) },
  { name: 'shower', rate: at([[6, 8, 0.25], [19, 23, 0.5]]), use: (r) => ({ lpm: r.uniform(7, 10), minutes: r.uniform(5, 12) }) },
  { name: 'kitchen', rate: at([[6, 8, 0.4], [11, 13, 1], [17, 20, 1.2]]), use: (r) => ({ lpm: r.uniform(5, 8), minutes: r.uniform(1, 4) }) },
  { name: 'washer', rate: at([[8, 11, 0.12], [19, 22, 0.1]]), use: (r) => ({ lpm: r.uniform(10, 14), minutes: r.uniform(4, 6) }) },
];

export const waterMeter: DeviceModel = function* (ctx) {
  const { clock, rng } = ctx;
  let registerL = rng.uniform(50_000, 900_000);
  const uses: { start: number; end: number; lpm: number }[] = [];
  const phase = phaseOf(ctx);
  let previous = ctx.start + phase - ctx.intervalMs;
  for (const t of ticks(ctx, phase)) {
    const hours = (t - previous) / 3_600_000;
    const hour = Math.floor(clock.local(t).hour);
    for (const f of FIXTURES) {
      for (let n = rng.poisson(f.rate(hour) * hours); n > 0; n--) {
        const { lpm, minutes } = f.use(rng);
        const start = previous + rng.int(t - previous);
        uses.push({ start, end: start + minutes * MINUTE_MS, lpm });
      }
    }
    let litres = 0;
    for (const u of uses) litres += (u.lpm * Math.max(0, Math.min(t, u.end) - Math.max(previous, u.start))) / MINUTE_MS;
    for (let i = uses.length - 1; i >= 0; i--) if (uses[i].end <= t) uses.splice(i, 1);
    for (const kind of ['water_leak', 'pipe_burst'] as const) {
      const incident = activeIncident(ctx, kind, t);
      if (incident) litres += ((incident.params.flowLpm as number) * rng.uniform(0.97, 1.03) * Math.min(t - previous, t - incident.start)) / MINUTE_MS;
    }
    registerL += litres;
    yield {
      ts: t,
      channel: 'telemetry',
      body: { totalM3: roundTo(registerL / 1000, 3), flowLpm: roundTo((litres * MINUTE_MS) / (t - previous), 2) },
    };
    previous = t;
  }
};
