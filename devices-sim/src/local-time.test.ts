import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, parseMoment } from './durations.js';
import { LocalClock, inRange, parseMinuteRange } from './local-time.js';

describe('LocalClock', () => {
  const shanghai = new LocalClock('Asia/Shanghai');

  it("uses the community's zone, not the server's", () => {
    // 2026-07-15T13:59:00Z is 21:59 in Shanghai whatever TZ this process runs in.
    const t = Date.parse('2026-07-15T13:59:00Z');
    assert.equal(shanghai.local(t).minuteOfDay, 21 * 60 + 59);
    assert.equal(shanghai.isDay(t), true);
    assert.equal(shanghai.isDay(t + 60_000), false, '22:00 is night (GB 3096: 22:00-06:00)');
    assert.equal(shanghai.isDay(Date.parse('2026-07-15T06:00:00+08:00')), true);
    assert.equal(shanghai.isDay(Date.parse('2026-07-15T05:59:59+08:00')), false);
    assert.equal(shanghai.local(t).weekday, 3, '2026-07-15 is a Wednesday');
  });

  it('honours a configured day period and daylight saving time elsewhere', () => {
    const shifted = new LocalClock('Asia/Shanghai', '07:00-23:00');
    assert.equal(shifted.isDay(Date.parse('2026-07-15T22:30:00+08:00')), true);
    const newYork = new LocalClock('America/New_York');
    assert.equal(newYork.offsetMs(Date.parse('2026-07-15T12:00:00Z')), -4 * 3_600_000);
    assert.equal(newYork.offsetMs(Date.parse('2026-01-15T12:00:00Z')), -5 * 3_600_000);
    assert.equal(newYork.fromLocal(newYork.local(Date.parse('2026-07-15T12:00:00Z')).day, 8 * 60), Date.parse('2026-07-15T08:00:00-04:00'));
  });

  it('finds local midnight and minutes until night', () => {
    const t = Date.parse('2026-07-15T21:15:00+08:00');
    assert.equal(shanghai.midnightOf(t), Date.parse('2026-07-15T00:00:00+08:00'));
    assert.equal(shanghai.minutesUntilNight(t), 45);
    assert.equal(shanghai.minutesUntilNight(Date.parse('2026-07-15T23:00:00+08:00')), 0);
  });

  it('reads hour ranges that wrap midnight', () => {
    const night = parseMinuteRange('22:00-06:00');
    assert.equal(inRange(night, 23 * 60), true);
    assert.equal(inRange(night, 5 * 60 + 59), true);
    assert.equal(inRange(night, 6 * 60), false);
  });
});

describe('scenario time expressions', () => {
  it('parses durations and local moments', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('30d'), 30 * 86_400_000);
    assert.throws(() => parseDuration('1 hour'), /expected a duration/);
    assert.deepEqual(parseMoment('23:00'), { day: 0, secondOfDay: 23 * 3600 });
    assert.deepEqual(parseMoment('d1 02:30'), { day: 1, secondOfDay: 2.5 * 3600 });
    assert.throws(() => parseMoment('25:00'), /expected a local time/);
  });
});
