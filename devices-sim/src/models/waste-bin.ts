import type { WasteCategory } from '#contracts';
import { roundTo } from '../acoustics.js';
import { MINUTE_MS } from '../local-time.js';
import { ambientC } from './weather.js';
import { type DeviceModel, type Emission, type ModelContext, activeIncident, incidentsOf, phaseOf, ticks } from './model.js';

/**
 * A sorted-waste bin with an ultrasonic fill sensor, a thermometer and a load cell.
 *
 * Households drop waste mostly at the fixed drop-off times of the sorting policy (mornings
 * 07:00–09:00, evenings 18:00–21:00: 定时定点投放), so each category fills by an hourly profile
 * at its own daily rate, in bags of a typical size, and is emptied at its collection times
 * (kitchen waste three times a day, other waste twice, recyclables daily, hazardous waste weekly).
 * The daily volumes keep a normal day under 80 % (the waste.overflow warning) with room to spare.
 */
interface CategoryModel {
  /** Share of the bin filled per day, %. */
  dailyPct: number;
  /** One bag, % of the bin. */
  bagPct: number;
  /** Local collection times, minutes of day; weekly categories also name the weekday. */
  collections: number[];
  weekday?: number;
  /** kg per % of fill (240 L bin × density / 100). */
  kgPerPct: number;
}

const hm = (h: number, m = 0) => h * 60 + m;
export const CATEGORY_MODELS: Record<WasteCategory, CategoryModel> = {
  kitchen: { dailyPct: 100, bagPct: 0.8, collections: [hm(9, 30), hm(13, 30), hm(21, 30)], kgPerPct: 1.2 },
  other: { dailyPct: 80, bagPct: 1, collections: [hm(9, 30), hm(21, 30)], kgPerPct: 0.36 },
  recyclable: { dailyPct: 30, bagPct: 1.5, collections: [hm(10)], kgPerPct: 0.2 },
  hazardous: { dailyPct: 2, bagPct: 0.5, collections: [hm(10)], weekday: 1, kgPerPct: 0.6 },
};

/** Share of a day's drop-offs in each local hour (sums to 1 after normalising). */
const DROP_OFF_BY_HOUR = [0.005, 0.005, 0.005, 0.005, 0.005, 0.005, 0.04, 0.1, 0.1, 0.06, 0.03, 0.04, 0.05, 0.03, 0.02, 0.02, 0.03, 0.06, 0.1, 0.11, 0.09, 0.05, 0.02, 0.01];
const DROP_OFF_TOTAL = DROP_OFF_BY_HOUR.reduce((a, b) => a + b, 0);

export const wasteBin: DeviceModel = function* (ctx) {
  const { clock, rng } = ctx;
  const category = ctx.device.category ?? 'other';
  const model = CATEGORY_MODELS[category];
  let fill = fillAtStart(ctx, model);
  let tempC = ambientC(clock, ctx.start);
  let dayFactor = 1;
  let factorDay = Number.NaN;
  let collectionTimes: number[] = [];
  const phase = phaseOf(ctx);
  let previous = ctx.start + phase - ctx.intervalMs;
  const contamination = incidentsOf(ctx, 'contamination').flatMap((i) => spread(i.start, i.end, i.params.count as number));
  for (const t of ticks(ctx, phase)) {
    const local = clock.local(t);
    if (local.day !== factorDay) {
      factorDay = local.day;
      // Households produce more on weekends; trucks run a few minutes early or late.
      dayFactor = Math.min(1.15, Math.max(0.9, rng.normal(1, 0.06))) * (local.weekday === 0 || local.weekday === 6 ? 1.1 : 1);
      collectionTimes = model.collections.filter(() => model.weekday === undefined || model.weekday === local.weekday).map((m) => clock.fromLocal(local.day, m) + Math.round(rng.normal(0, 6)) * MINUTE_MS);
    }
    const events: Emission[] = [];
    // Drop-offs during (previous, t]: a Poisson number of bags at the hour's rate.
    const hours = (t - previous) / 3_600_000;
    const ratePctPerHour = (model.dailyPct * dayFactor * DROP_OFF_BY_HOUR[Math.floor(local.hour)]) / DROP_OFF_TOTAL;
    let added = rng.poisson((ratePctPerHour * hours) / model.bagPct) * model.bagPct * rng.uniform(0.9, 1.1);
    const overflow = activeIncident(ctx, 'overflow', t);
    if (overflow) added += (overflow.params.extraPctPerHour as number) * hours * rng.uniform(0.8, 1.2);
    fill = Math.min(100, fill + added);
    for (const c of collectionTimes) {
      if (c > previous && c <= t && !activeIncident(ctx, 'missed_collection', c)) {
        fill = rng.uniform(0, 3); // residue stuck to the walls
        events.push({ ts: c, channel: 'event', body: { type: 'emptied' } });
      }
    }
    for (const c of contamination) if (c > previous && c <= t) events.push({ ts: c, channel: 'event', body: { type: 'contamination' } });
    tempC = binTemperature(ctx, t, tempC, fill, hours);
    yield* events.sort((a, b) => a.ts - b.ts);
    yield {
      ts: t,
      channel: 'telemetry',
      body: { fillPct: roundTo(fill, 1), category, tempC: roundTo(tempC, 1), weightKg: roundTo(fill * model.kgPerPct, 1), lidOpen: added > 0 && rng.chance(0.15) },
    };
    previous = t;
  }
};

/** Ambient, warmed by the sun by day and by fermenting kitchen waste; a fire climbs to its peak in 10 minutes and cools after. */
function binTemperature(ctx: ModelContext, t: number, current: number, fill: number, hours: number): number {
  const local = ctx.clock.local(t);
  const sun = local.hour > 8 && local.hour < 17 ? 5 * Math.sin((Math.PI * (local.hour - 8)) / 9) : 0;
  const ferment = ctx.device.category === 'kitchen' ? 1.5 * (fill / 100) : 0;
  const normal = ambientC(ctx.clock, t) + sun + ferment + ctx.rng.normal(0, 0.3);
  const fire = activeIncident(ctx, 'bin_fire', t);
  if (fire) {
    const progress = Math.min(1, (t - fire.start) / (10 * MINUTE_MS));
    return normal + ((fire.params.peakC as number) - normal) * progress + ctx.rng.normal(0, 1);
  }
  // Thermal lag of a full bin: about 30 minutes.
  return normal + (current - normal) * Math.exp((-hours * 60) / 30);
}

/**
 * What the bin holds when the run starts: the drop-offs expected since its last collection (a run
 * that starts at midnight finds the kitchen bin with the evening's waste in it). A missed
 * collection under way at the start has already cost the round before it.
 */
function fillAtStart(ctx: ModelContext, model: CategoryModel): number {
  const { clock } = ctx;
  let skip = activeIncident(ctx, 'missed_collection', ctx.start) ? 1 : 0;
  let fill = ctx.rng.uniform(0, 3);
  const step = 10 * MINUTE_MS;
  for (let t = ctx.start - step; t > ctx.start - 8 * 86_400_000; t -= step) {
    const local = clock.local(t);
    const collected = model.collections.some((m) => m >= local.minuteOfDay && m < local.minuteOfDay + 10) && (model.weekday === undefined || model.weekday === local.weekday);
    if (collected && skip-- <= 0) break;
    fill += (model.dailyPct * DROP_OFF_BY_HOUR[Math.floor(local.hour)] * (step / 3_600_000)) / DROP_OFF_TOTAL;
  }
  return Math.min(100, fill);
}

/** `count` instants spread evenly over [start, end). */
export function spread(start: number, end: number, count: number): number[] {
  const step = (end - start) / count;
  return Array.from({ length: count }, (_, i) => Math.round(start + (i + 0.5) * step));
}
