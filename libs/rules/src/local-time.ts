/**
 * Local wall-clock time of an instant in a named IANA zone, from Intl.DateTimeFormat only: the
 * process time zone (TZ) is never consulted. Day/night, permitted hours and the 02:00–05:00
 * night-flow window are all judged in the community's zone (criteria.md: "time zone is the
 * community's (default Asia/Shanghai), never the server's").
 */

export interface LocalTime {
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  isoWeekday: number;
  /** Local calendar date, YYYY-MM-DD. */
  date: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at `ts`, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(ts: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(ts)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(ts / 1000) * 1000;
}

/**
 * Offsets change only on quarter-hour boundaries in every zone of the tz database, so one lookup
 * serves a whole 15-minute slot. The cache keeps the last slot per zone: readings arrive in
 * event-time order, so it almost always hits.
 */
const SLOT_MS = 15 * 60_000;
const lastSlot = new Map<string, { slot: number; offset: number }>();

function cachedOffset(ts: number, zone: string): number {
  const slot = Math.floor(ts / SLOT_MS);
  const hit = lastSlot.get(zone);
  if (hit && hit.slot === slot) return hit.offset;
  const offset = zoneOffsetMs(slot * SLOT_MS, zone);
  lastSlot.set(zone, { slot, offset });
  return offset;
}

export function localTime(ts: number, zone: string): LocalTime {
  const local = new Date(ts + cachedOffset(ts, zone));
  const weekday = local.getUTCDay();
  return {
    minuteOfDay: local.getUTCHours() * 60 + local.getUTCMinutes(),
    isoWeekday: weekday === 0 ? 7 : weekday,
    date: local.toISOString().slice(0, 10),
  };
}

/** Minutes since local midnight, the common case, without building a date string. */
export function localMinuteOfDay(ts: number, zone: string): number {
  const localMs = ts + cachedOffset(ts, zone);
  return Math.floor((((localMs % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
}

/** A parsed "HH:MM-HH:MM" range of local minutes; `end` may be ≤ `start` (wraps midnight). */
export interface MinuteRange {
  start: number;
  end: number;
}

export function parseHourRange(range: string): MinuteRange {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(range);
  if (!m) throw new Error(`not an HH:MM-HH:MM range: ${JSON.stringify(range)}`);
  return { start: Number(m[1]) * 60 + Number(m[2]), end: Number(m[3]) * 60 + Number(m[4]) };
}

/** Whether a local minute falls in [start, end), wrapping midnight when end ≤ start. */
export function inRange(minuteOfDay: number, range: MinuteRange): boolean {
  if (range.start === range.end) return true; // "00:00-24:00"-like: the whole day
  return range.start < range.end ? minuteOfDay >= range.start && minuteOfDay < range.end : minuteOfDay >= range.start || minuteOfDay < range.end;
}

export function inAnyRange(minuteOfDay: number, ranges: readonly MinuteRange[]): boolean {
  return ranges.some((r) => inRange(minuteOfDay, r));
}
