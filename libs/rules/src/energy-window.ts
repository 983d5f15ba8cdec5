import { energyToLevel, levelToEnergy } from './energy.js';

/**
 * The energy-average of the last `minutes` minutes of event time, in one-minute buckets:
 * constant memory (three arrays of `minutes` numbers), O(minutes) per average. A reading lands
 * in the bucket of its minute; a bucket whose minute left the window is reused. Plain arrays,
 * so the state is JSON (snapshots) as it is.
 */
export interface EnergyWindowState {
  /** Minute index (epoch ms / 60,000) each bucket holds, -1 when empty. */
  minute: number[];
  energy: number[];
  count: number[];
}

export function newEnergyWindow(minutes: number): EnergyWindowState {
  return { minute: new Array<number>(minutes).fill(-1), energy: new Array<number>(minutes).fill(0), count: new Array<number>(minutes).fill(0) };
}

export function addLevel(w: EnergyWindowState, ts: number, level: number): void {
  const m = Math.floor(ts / 60_000);
  const slot = m % w.minute.length;
  if (w.minute[slot] !== m) {
    w.minute[slot] = m;
    w.energy[slot] = 0;
    w.count[slot] = 0;
  }
  w.energy[slot] += levelToEnergy(level);
  w.count[slot] += 1;
}

/**
 * Leq over the minutes (now − window, now] and the span of minutes it covers (from its oldest
 * bucket to now, inclusive). NaN when empty.
 */
export function windowLeq(w: EnergyWindowState, now: number): { leq: number; spanMinutes: number } {
  const nowMinute = Math.floor(now / 60_000);
  const size = w.minute.length;
  let energy = 0;
  let count = 0;
  let oldest = nowMinute + 1;
  for (let i = 0; i < size; i++) {
    const m = w.minute[i];
    if (m > nowMinute - size && m <= nowMinute) {
      energy += w.energy[i];
      count += w.count[i];
      if (m < oldest) oldest = m;
    }
  }
  return { leq: count ? energyToLevel(energy / count) : Number.NaN, spanMinutes: nowMinute - oldest + 1 };
}
