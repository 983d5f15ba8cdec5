import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMUNITY_CONFIG_SCHEMA } from '#contracts';
import { levelToEnergy } from '#rules';
import { bucketMinutes, noiseEvidence } from './noise-evidence.js';

const config = COMMUNITY_CONFIG_SCHEMA.parse({
  id: 'demo',
  name: 'd',
  compounds: [{ id: 'c1', name: 'C' }],
  devices: [{ id: 'n-01', type: 'noise', compound: 'c1', zone: '1', hornBan: true }],
});
// 2026-01-15 in Shanghai (UTC+8)
const at = (h: number, m = 0) => Date.UTC(2026, 0, 15, h - 8, m);
const minute = (t: number, level: number) => ({ device: 'n-01', t, energySum: levelToEnergy(level), count: 1 });

describe('noiseEvidence (criterion 10)', () => {
  it('day and night Leq by energy, against GB 3096 class 1 (55/45); the night after midnight belongs to the evening before', () => {
    const buckets = [minute(at(10), 40), minute(at(11), 60), minute(at(23), 44), minute(at(24 + 2), 46)];
    const e = noiseEvidence({ config, from: at(6), to: at(6) + 4 * 60_000, buckets, loud: [], hornEvents: new Map(), workHourAlerts: new Map() });
    const d = e.devices[0];
    assert.deepEqual(d.periods.map((p) => [p.date, p.period, p.leq, p.limit, p.compliant]), [
      ['2026-01-15', 'day', 57, 55, false], // 40 and 60 average to 57.0, not 50
      ['2026-01-15', 'night', 45.1, 45, false],
    ]);
    assert.deepEqual(d.compliantShare, { day: 0, night: 0 });
    assert.equal(d.completeness, 1);
    assert.equal(e.verdict.pass, false);
  });

  it('bursts count only at night above limit + 15; horn events count against a horn-ban meter', () => {
    const loud = [{ device: 'n-01', t: at(23), lmax: 61 }, { device: 'n-01', t: at(23, 5), lmax: 60 }, { device: 'n-01', t: at(12), lmax: 80 }];
    const e = noiseEvidence({ config, from: at(22), to: at(22) + 60_000, buckets: [minute(at(22), 40)], loud, hornEvents: new Map([['n-01', 2]]), workHourAlerts: new Map() });
    assert.equal(e.devices[0].nightBursts, 1);
    assert.deepEqual(e.devices[0].verdict.reasons, ['1 night burst(s) above 60 dB(A)', '2 horn event(s) in a horn-ban area']);
  });

  it('a quiet, complete period passes', () => {
    const buckets = Array.from({ length: 60 }, (_, i) => minute(at(10, i), 50));
    const e = noiseEvidence({ config, from: at(10), to: at(11), buckets, loud: [], hornEvents: new Map(), workHourAlerts: new Map() });
    assert.deepEqual(e.verdict, { pass: true, reasons: [] });
  });

  it('bucketMinutes never lets a bucket straddle day and night', () => {
    assert.equal(bucketMinutes('06:00-22:00', 480), 60);
    assert.equal(bucketMinutes('06:30-22:00', 480), 30);
    assert.equal(bucketMinutes('06:00-22:00', 330), 30); // Asia/Kolkata +05:30
    assert.equal(bucketMinutes('06:05-22:00', 480), 5);
  });
});
