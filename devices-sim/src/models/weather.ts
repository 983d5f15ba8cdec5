import type { LocalClock } from '../local-time.js';

/**
 * Outdoor air temperature typical of central Anhui (Hefei climate normals, 1991–2020, monthly
 * means in °C), with a daily swing peaking at 14:00 and lowest at 05:00 local time. It drives bin
 * and charger temperatures; only its order of magnitude matters to the rules (fire at 60 °C,
 * charger over-temperature at 80 °C), so a deterministic normal is enough.
 */
const MONTHLY_MEAN_C = [3.0, 5.7, 10.4, 16.5, 21.8, 25.7, 28.8, 28.2, 23.8, 18.1, 11.5, 5.2];
const DAILY_SWING_C = 4.5;

export function ambientC(clock: LocalClock, ts: number): number {
  const local = clock.local(ts);
  const month = new Date(local.day * 86_400_000).getUTCMonth();
  return MONTHLY_MEAN_C[month] + DAILY_SWING_C * Math.cos((2 * Math.PI * (local.hour - 14)) / 24);
}
