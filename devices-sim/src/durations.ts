/**
 * The time expressions of scenario files:
 *   durations  "90s", "15m", "2h", "1h30m", "1d", "30d"
 *   moments    "23:00" (local, on the scenario's first day) or "d1 02:30" (local, on day 1, the second day)
 * Moments are relative to the local midnight of the run's start, so a scenario replays on any date.
 */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const MOMENT = /^(?:d(\d{1,3})\s+)?([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

export function isDuration(text: string): boolean {
  return DURATION.test(text);
}

/** Milliseconds of a duration expression; throws on anything else. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) throw new Error(`expected a duration such as 90s, 15m, 2h, 1h30m or 1d, got ${JSON.stringify(text)}`);
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(n) * UNITS[unit];
  return Math.round(total);
}

export interface LocalMoment {
  day: number;
  /** Seconds since local midnight. */
  secondOfDay: number;
}

export function isMoment(text: string): boolean {
  return MOMENT.test(text);
}

export function parseMoment(text: string): LocalMoment {
  const m = MOMENT.exec(text);
  if (!m) throw new Error(`expected a local time such as "23:00" or "d1 02:30", got ${JSON.stringify(text)}`);
  return { day: Number(m[1] ?? 0), secondOfDay: Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0) };
}

export function formatDuration(ms: number): string {
  if (ms % UNITS.d === 0) return `${ms / UNITS.d}d`;
  if (ms % UNITS.h === 0) return `${ms / UNITS.h}h`;
  if (ms % UNITS.m === 0) return `${ms / UNITS.m}m`;
  return `${ms / 1000}s`;
}
