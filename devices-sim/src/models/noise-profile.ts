import type { NoiseZone } from '#contracts';
import { GB3096_LIMITS } from '../acoustics.js';
import type { LocalClock } from '../local-time.js';

/**
 * The background level a noise meter hears on a normal day, by GB 3096 zone and local hour.
 *
 * Reference levels sit 8 dB(A) (day) and 7 dB(A) (night) under the zone's limits (GB 3096-2008
 * table 1): a compliant area is typically a few dB under its limit, and with short events (cars,
 * voices) on top a class-1 residential meter averages about 49–50 by day and 38–39 by night. Hour shapes follow the usual urban pattern: a morning and an evening
 * traffic peak, a lull after lunch, the quietest hours 01:00–04:00.
 *
 * The last hour before night is held near the night level. Residential areas do quieten then, and
 * it keeps a rolling 60-minute energy average (the window of noise.zone_limit) under the night
 * limit just after 22:00 on a normal day.
 */
const DAY_SHAPE: Record<number, number> = { 6: -3, 7: 1, 8: 1.5, 9: 0, 10: 0, 11: 0.5, 12: -0.5, 13: -1, 14: 0, 15: 0, 16: 0.5, 17: 1.5, 18: 1.5, 19: 0.5, 20: -0.5, 21: -1.5 };
const NIGHT_SHAPE: Record<number, number> = { 22: 1, 23: 0, 0: -1, 1: -2, 2: -2.5, 3: -2.5, 4: -2, 5: -0.5 };
export const MARGIN_UNDER_LIMIT_DB = { day: 8, night: 7 };
/** How close to the night level the last day hour stays. */
const WIND_DOWN_OVER_NIGHT_DB = 0;

export function backgroundLevel(zone: NoiseZone, clock: LocalClock, ts: number): number {
  const limits = GB3096_LIMITS[zone];
  const hour = Math.floor(clock.local(ts).hour);
  const night = limits.night - MARGIN_UNDER_LIMIT_DB.night;
  if (!clock.isDay(ts)) return night + (NIGHT_SHAPE[hour] ?? 0);
  const day = limits.day - MARGIN_UNDER_LIMIT_DB.day + (DAY_SHAPE[hour] ?? 0);
  return clock.minutesUntilNight(ts) <= 60 ? Math.min(day, night + WIND_DOWN_OVER_NIGHT_DB) : day;
}

/** Mean number of short events per minute (a passing car, voices, a dog) by local hour. */
export function eventsPerMinute(hour: number): number {
  if (hour < 5) return 0.08;
  if (hour < 7) return 0.3;
  if (hour < 22) return 0.7;
  return 0.2;
}
