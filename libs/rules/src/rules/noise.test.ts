import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brief, engineFor, event, noiseMinutes, run, sh, telemetry } from '../fixtures.js';

const METER = '{id: n-01, type: noise, compound: c1, zone: "1"}'; // GB 3096 class 1: 55 day, 45 night
const only = (rule: string) => (a: { rule: string }) => a.rule === rule;

describe('noise.zone_limit', () => {
  it('averages by energy: 40/60 dB(A) alternating is 57.0 > 55 (day, class 1), where arithmetic would say 50', () => {
    const alerts = run(engineFor([METER]), noiseMinutes('n-01', sh('10:00'), 30, (i) => (i % 2 ? 60 : 40))).filter(only('noise.zone_limit'));
    // minute 30 (10:29) is the first with a 30-minute span: 15×40 + 15×60 -> 10·log10((1e4+1e6)/2) = 57.0
    assert.deepEqual(alerts.map(brief), ['raised warning noise.zone_limit n-01 10:29 value=57 threshold=55']);
    assert.deepEqual(alerts[0].context, { window: '1h', period: 'day', zone: '1' });
  });

  it('21:59 is judged against the day limit (55), 22:00 against the night limit (45)', () => {
    const alerts = run(engineFor([METER]), noiseMinutes('n-01', sh('21:00'), 61, () => 48)).filter(only('noise.zone_limit'));
    assert.deepEqual(alerts.map(brief), ['raised warning noise.zone_limit n-01 22:00 value=48 threshold=45']);
    assert.equal(alerts[0].context.period, 'night');
  });

  it('a 60-minute window spanning 06:00 is judged against the limit of its newest reading', () => {
    // 50 dB(A) from 05:00: raised at 05:29 (night, 50 > 45); at 06:00 the same hour is day, 50 ≤ 55 − 2: cleared
    const alerts = run(engineFor([METER]), noiseMinutes('n-01', sh('05:00'), 62, () => 50)).filter(only('noise.zone_limit'));
    assert.deepEqual(alerts.map(brief), ['raised warning noise.zone_limit n-01 05:29 value=50 threshold=45', 'cleared warning noise.zone_limit n-01 06:00 value=50 threshold=45']);
    assert.equal(alerts[0].alertId, alerts[1].alertId);
  });

  it('escalates to critical (limit + 10) as an update of the same alert, and never steps back down', () => {
    const readings = [...noiseMinutes('n-01', sh('23:00'), 30, () => 50), ...noiseMinutes('n-01', sh('23:30'), 30, () => 70), ...noiseMinutes('n-01', sh('00:00', '2026-11-03'), 20, () => 52)];
    const alerts = run(engineFor([METER]), readings).filter(only('noise.zone_limit'));
    assert.deepEqual(
      alerts.map((a) => `${a.state} ${a.severity}`),
      ['raised warning', 'raised critical'],
    );
    assert.equal(alerts[0].alertId, alerts[1].alertId);
  });

  it('a level hovering at the limit raises one alert, not many', () => {
    // 45.5 for 40 minutes (raised once the window spans 30), then 44.5/45.5 alternating for 3 hours
    const readings = [...noiseMinutes('n-01', sh('22:00'), 40, () => 45.5), ...noiseMinutes('n-01', sh('22:40'), 180, (i) => (i % 2 ? 45.5 : 44.5))];
    const alerts = run(engineFor([METER]), readings).filter(only('noise.zone_limit'));
    assert.deepEqual(alerts.map(brief), ['raised warning noise.zone_limit n-01 22:29 value=45.5 threshold=45']);
  });

  it('clears only 2 dB below the limit', () => {
    const readings = [...noiseMinutes('n-01', sh('22:00'), 60, () => 50), ...noiseMinutes('n-01', sh('23:00'), 60, () => 30)];
    const alerts = run(engineFor([METER]), readings).filter(only('noise.zone_limit'));
    assert.equal(alerts.length, 2);
    assert.equal(alerts[1].state, 'cleared');
    assert.ok(alerts[1].value! <= 43);
    // after k quiet minutes: 10·log10(((60−k)·1e5 + k·1e3)/60) ≤ 43 ⇔ 6e6 − 99,000·k ≤ 60·10^4.3 ⇔ k ≥ 48.5,
    // so k = 49 (the 23:48 reading): 10·log10((11e5 + 49e3)/60) = 42.8
    assert.equal(brief(alerts[1]), 'cleared warning noise.zone_limit n-01 23:48 value=42.8 threshold=45');
  });

  it('takes a per-device limit and the community day range from the configuration', () => {
    const meter = '{id: n-01, type: noise, compound: c1, zone: "1", rules: {noise.zone_limit: {nightLimit: 50}}}';
    const alerts = run(engineFor([meter], { latenessMs: 0 }, ['periods: {day: "07:00-23:00"}']), noiseMinutes('n-01', sh('22:00'), 90, () => 52)).filter(only('noise.zone_limit'));
    // day until 23:00 (limit 55: nothing), then night with the device's own limit 50
    assert.deepEqual(alerts.map(brief), ['raised warning noise.zone_limit n-01 23:00 value=52 threshold=50']);
  });
});

describe('noise.night_burst', () => {
  it('an Lmax over night limit + 15 is a burst at 22:00 but not at 21:59; clears after 15 minutes without one', () => {
    const readings = [telemetry('noise', 'n-01', sh('21:59'), { laeq: 40, lmax: 70 }), telemetry('noise', 'n-01', sh('22:00'), { laeq: 40, lmax: 70 }), ...noiseMinutes('n-01', sh('22:01'), 20, () => 40, () => 50)];
    const alerts = run(engineFor([METER]), readings).filter(only('noise.night_burst'));
    assert.deepEqual(alerts.map(brief), ['raised warning noise.night_burst n-01 22:00 value=70 threshold=60', 'cleared warning noise.night_burst n-01 22:15 value=50 threshold=60']);
  });
});

describe('noise.work_hours', () => {
  const SITE = '{id: n-02, type: noise, compound: c1, zone: "2", site: construction, permittedHours: ["07:00-12:00", "14:00-20:00"]}';
  it('raises after 5 loud minutes outside the permitted hours, and clears after 15 quiet minutes', () => {
    // 65 > 60 (class 2 day). 11:55–11:59 are permitted; 12:00–12:04 are five loud minutes outside them.
    const readings = [...noiseMinutes('n-02', sh('11:55'), 10, () => 65), ...noiseMinutes('n-02', sh('12:05'), 20, () => 50)];
    const alerts = run(engineFor([SITE]), readings).filter(only('noise.work_hours'));
    assert.deepEqual(alerts.map(brief), ['raised warning noise.work_hours n-02 12:04 value=65 threshold=60', 'cleared warning noise.work_hours n-02 12:19 value=50 threshold=60']);
  });
  it('does not raise on a residential meter or inside permitted hours', () => {
    const alerts = run(engineFor([SITE, METER]), [...noiseMinutes('n-02', sh('08:00'), 30, () => 65), ...noiseMinutes('n-01', sh('23:00'), 30, () => 65)]).filter(only('noise.work_hours'));
    assert.deepEqual(alerts, []);
  });
  it('uses weekday renovation hours by default: Saturday 09:00 is outside them', () => {
    const reno = '{id: n-03, type: noise, compound: c1, zone: "1", site: renovation}';
    const alerts = run(engineFor([reno]), [...noiseMinutes('n-03', sh('09:00', '2026-11-02'), 10, () => 60), ...noiseMinutes('n-03', sh('09:00', '2026-11-07'), 10, () => 60)]).filter(only('noise.work_hours'));
    assert.deepEqual(alerts.map((a) => `${a.state} ${new Date(a.at).toISOString()}`), ['raised 2026-11-07T01:04:00.000Z']);
  });
});

describe('noise.horn_ban', () => {
  const BAN = '{id: n-04, type: noise, compound: c1, zone: "1", hornBan: true}';
  it('raises info on a horn, escalates to warning at 3 in 10 minutes, clears after 30 minutes without one', () => {
    const readings = [
      event('noise', 'n-04', sh('09:00'), 'horn', { lmax: 90 }),
      event('noise', 'n-04', sh('09:04'), 'horn', { lmax: 90 }),
      event('noise', 'n-04', sh('09:08'), 'horn', { lmax: 90 }),
      event('noise', 'n-04', sh('09:09'), 'horn', { lmax: 90 }),
      ...noiseMinutes('n-04', sh('09:10'), 40, () => 40),
    ];
    const alerts = run(engineFor([BAN]), readings).filter(only('noise.horn_ban'));
    assert.deepEqual(alerts.map(brief), ['raised info noise.horn_ban n-04 09:00 value=1 threshold=3', 'raised warning noise.horn_ban n-04 09:08 value=3 threshold=3', 'cleared warning noise.horn_ban n-04 09:39 value=3 threshold=3']);
    assert.equal(new Set(alerts.map((a) => a.alertId)).size, 1);
  });
  it('ignores horns where there is no ban', () => {
    assert.deepEqual(run(engineFor([METER]), [event('noise', 'n-01', sh('09:00'), 'horn', { lmax: 90 })]).filter(only('noise.horn_ban')), []);
  });
});
