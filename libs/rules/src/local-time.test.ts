import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inRange, localMinuteOfDay, localTime, parseHourRange, zoneOffsetMs } from './local-time.js';
import { periodAt, zoneLimit } from './noise-limits.js';

const SHANGHAI = 'Asia/Shanghai';
/** 2026-11-02 is a Monday. 21:59 and 22:00 in Shanghai are 13:59 and 14:00 UTC. */
const at = (hhmm: string, date = '2026-11-02', offset = '+08:00') => Date.parse(`${date}T${hhmm}:00${offset}`);

describe('local time in the community zone', () => {
  it('reads Shanghai wall-clock minutes, weekday and date', () => {
    assert.deepEqual(localTime(at('21:59'), SHANGHAI), { minuteOfDay: 21 * 60 + 59, isoWeekday: 1, date: '2026-11-02' });
    assert.deepEqual(localTime(at('00:30', '2026-11-09'), SHANGHAI), { minuteOfDay: 30, isoWeekday: 1, date: '2026-11-09' });
    assert.equal(zoneOffsetMs(at('12:00'), SHANGHAI), 8 * 3600_000);
  });
  it('follows daylight saving in zones that have it (New York, 2026-11-01 02:00 EDT -> EST)', () => {
    assert.equal(zoneOffsetMs(Date.parse('2026-10-31T12:00:00Z'), 'America/New_York'), -4 * 3600_000);
    assert.equal(zoneOffsetMs(Date.parse('2026-11-02T12:00:00Z'), 'America/New_York'), -5 * 3600_000);
    assert.equal(localMinuteOfDay(Date.parse('2026-11-01T06:30:00Z'), 'America/New_York'), 60 + 30); // 01:30 EST
  });
  it('handles ranges that wrap midnight', () => {
    const night = parseHourRange('22:00-06:00');
    assert.equal(inRange(22 * 60, night), true);
    assert.equal(inRange(5 * 60 + 59, night), true);
    assert.equal(inRange(6 * 60, night), false);
    assert.equal(inRange(21 * 60 + 59, night), false);
  });
});

describe('day and night (GB 3096-2008 4.2)', () => {
  it('21:59 local is day and 22:00 local is night', () => {
    assert.equal(periodAt(at('21:59'), SHANGHAI), 'day');
    assert.equal(periodAt(at('22:00'), SHANGHAI), 'night');
    assert.equal(periodAt(at('05:59'), SHANGHAI), 'night');
    assert.equal(periodAt(at('06:00'), SHANGHAI), 'day');
  });
  it('uses the community zone, not UTC: 14:00 UTC is 22:00 in Shanghai but 14:00 in London', () => {
    const ts = Date.parse('2026-11-02T14:00:00Z');
    assert.equal(periodAt(ts, SHANGHAI), 'night');
    assert.equal(periodAt(ts, 'Europe/London'), 'day');
  });
  it('follows a community that shifts the day to 07:00-23:00', () => {
    assert.equal(periodAt(at('22:30'), SHANGHAI, parseHourRange('07:00-23:00')), 'day');
    assert.equal(periodAt(at('06:30'), SHANGHAI, parseHourRange('07:00-23:00')), 'night');
  });
  it('has the table 1 limits', () => {
    assert.equal(zoneLimit('1', 'night'), 45);
    assert.equal(zoneLimit('4b', 'night'), 60);
    assert.equal(zoneLimit('1', 'night', { night: 42 }), 42);
  });
});
