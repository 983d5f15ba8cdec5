/**
 * Local wall-clock time in the community's zone (default Asia/Shanghai), never the server's:
 * criteria.md, "time zone is the community's". Offsets come from Intl and are cached per UTC
 * hour, so a month of per-minute readings costs a few hundred Intl calls, not a million.
 */
const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

export interface LocalTime {
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
  /** Fractional local hour, 0–23.99. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Local calendar date as days since 1970-01-01 (a key for "same local day"). */
  day: number;
}

export class LocalClock {
  private readonly offsets = new Map<number, number>();
  private readonly format: Intl.DateTimeFormat;
  /** Local day period, minutes of day [start, end) (criteria.md: 06:00–22:00 unless configured). */
  readonly dayPeriod: MinuteRange;

  constructor(
    readonly timeZone: string,
    dayPeriod = '06:00-22:00',
  ) {
    this.format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    this.dayPeriod = parseMinuteRange(dayPeriod);
  }

  /** Offset of local time from UTC at `ms`, in ms (Asia/Shanghai: +8 h). */
  offsetMs(ms: number): number {
    const bucket = Math.floor(ms / HOUR_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      const at = bucket * HOUR_MS;
      const p = Object.fromEntries(this.format.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
      offset = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - at;
      this.offsets.set(bucket, offset);
    }
    return offset;
  }

  local(ms: number): LocalTime {
    const wall = ms + this.offsetMs(ms);
    const day = Math.floor(wall / DAY_MS);
    const msOfDay = wall - day * DAY_MS;
    return { minuteOfDay: Math.floor(msOfDay / MINUTE_MS), hour: msOfDay / HOUR_MS, weekday: (((day + 4) % 7) + 7) % 7, day };
  }

  /** The UTC instant of a local wall time given as days since epoch + minutes of day. */
  fromLocal(day: number, minuteOfDay: number): number {
    const wall = day * DAY_MS + minuteOfDay * MINUTE_MS;
    const guess = wall - this.offsetMs(wall);
    return wall - this.offsetMs(guess);
  }

  /** Local midnight at or before `ms`. */
  midnightOf(ms: number): number {
    return this.fromLocal(this.local(ms).day, 0);
  }

  isDay(ms: number): boolean {
    return inRange(this.dayPeriod, this.local(ms).minuteOfDay);
  }

  /** Minutes from `ms` until the night period starts (0 at night). */
  minutesUntilNight(ms: number): number {
    const m = this.local(ms).minuteOfDay;
    if (!inRange(this.dayPeriod, m)) return 0;
    return (this.dayPeriod.end - m + 1440) % 1440;
  }
}

/** "HH:MM-HH:MM" as minutes of day; end may be before start (wraps midnight); "24:00" is 1440. */
export interface MinuteRange {
  start: number;
  end: number;
}

export function parseMinuteRange(text: string): MinuteRange {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`expected HH:MM-HH:MM, got ${JSON.stringify(text)}`);
  return { start: Number(m[1]) * 60 + Number(m[2]), end: Number(m[3]) * 60 + Number(m[4]) };
}

export function inRange(range: MinuteRange, minuteOfDay: number): boolean {
  if (range.start === range.end) return true;
  if (range.start < range.end) return minuteOfDay >= range.start && minuteOfDay < range.end;
  return minuteOfDay >= range.start || minuteOfDay < range.end;
}

export function inAnyRange(ranges: readonly MinuteRange[], minuteOfDay: number): boolean {
  return ranges.some((r) => inRange(r, minuteOfDay));
}
