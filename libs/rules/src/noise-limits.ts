import type { NoiseZone } from '#contracts';
import { type MinuteRange, inRange, localMinuteOfDay, parseHourRange } from './local-time.js';

export type Period = 'day' | 'night';

/** GB 3096-2008 table 1: environmental noise limits, Leq dB(A), by zone class. */
export const GB3096_LIMITS: Record<NoiseZone, Record<Period, number>> = {
  '0': { day: 50, night: 40 }, // convalescent areas
  '1': { day: 55, night: 45 }, // residential, medical, education, research, offices
  '2': { day: 60, night: 50 }, // mixed residential / commercial / industrial
  '3': { day: 65, night: 55 }, // industrial, warehousing
  '4a': { day: 70, night: 55 }, // both sides of highways, arterial roads, inland waterways
  '4b': { day: 70, night: 60 }, // both sides of railway trunk lines
};

/** GB 3096-2008 4.2: day 06:00–22:00, night 22:00–06:00, unless local government says otherwise. */
export const DEFAULT_DAY = '06:00-22:00';

/** Day or night at `ts` in `zone`, with the community's day range (`periods.day`). */
export function periodAt(ts: number, timeZone: string, day: MinuteRange = parseHourRange(DEFAULT_DAY)): Period {
  return inRange(localMinuteOfDay(ts, timeZone), day) ? 'day' : 'night';
}

/** The limit of a zone in a period; `override` (a device's own `dayLimit` / `nightLimit`) wins. */
export function zoneLimit(zone: NoiseZone, period: Period, override?: { day?: number; night?: number }): number {
  return override?.[period] ?? GB3096_LIMITS[zone][period];
}
