import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { READINGS_QUERY, autoEvery, readingsInfluxQL, toPoints } from './readings-query.js';

describe('readings query parameters', () => {
  const parse = (q: Record<string, unknown>) => READINGS_QUERY.safeParse(q);
  const bad = (q: Record<string, unknown>) => {
    const r = parse(q);
    assert.equal(r.success, false, JSON.stringify(q));
    return r.error!.issues[0].path[0] ?? r.error!.issues[0].code;
  };
  it('accepts RFC 3339 with offset and epoch ms; every as a duration', () => {
    const r = parse({ device: 'n-01', from: '2026-01-01T00:00:00+08:00', to: '1767225600000', every: '5m' });
    assert.ok(r.success);
    assert.deepEqual(r.data, { device: 'n-01', from: Date.UTC(2025, 11, 31, 16), to: 1767225600000, every: 300_000 });
  });
  it('names the bad parameter', () => {
    assert.equal(bad({ device: "n-01' OR 1=1" }), 'device');
    assert.equal(bad({ device: 'n-01', every: '1w' }), 'every');
    assert.equal(bad({ device: 'n-01', every: '1s' }), 'every');
    assert.equal(bad({ device: 'n-01', every: '5m; DROP DATABASE greenwatch' }), 'every');
    assert.equal(bad({ device: 'n-01', from: 'yesterday' }), 'from');
    assert.equal(bad({ device: 'n-01', from: '2026-01-01T00:00:00' }), 'from'); // no offset
    assert.equal(bad({ device: 'n-01', from: '2000', to: '1000' }), 'from');
    assert.equal(bad({ device: 'n-01', to: ['1', '2'] }), 'to');
    assert.equal(bad({}), 'device');
    assert.equal(bad({ device: 'n-01', q: 'SELECT' }), 'unrecognized_keys');
  });
});

describe('readingsInfluxQL', () => {
  it('builds the downsampled query from the table, quoting ids and using integer times', () => {
    assert.equal(
      readingsInfluxQL({ deviceType: 'noise', community: 'demo', device: 'n-01', from: 1000, to: 2000, everyMs: 60_000 }),
      `SELECT mean("energy") AS "laeq", max("lmax") AS "lmax", min("lmin") AS "lmin", mean("l10") AS "l10", mean("l90") AS "l90" FROM "noise" WHERE "community" = 'demo' AND "device" = 'n-01' AND time >= 1000ms AND time < 2000ms GROUP BY time(60000ms) fill(none)`,
    );
  });
  it('escapes quotes and backslashes even if an unvalidated id got here', () => {
    const q = readingsInfluxQL({ deviceType: 'water_meter', community: "x' OR community =~ /.*/ --", device: 'a\\', from: 0, to: 1, everyMs: 1 });
    assert.match(q, /"community" = 'x\\' OR community =~ \/\.\*\/ --' AND "device" = 'a\\\\'/);
  });
  it('refuses non-integer times', () => {
    assert.throws(() => readingsInfluxQL({ deviceType: 'noise', community: 'd', device: 'n', from: 1.5, to: 2, everyMs: 1 }));
  });
  it('autoEvery keeps at most 1000 points', () => {
    assert.equal(autoEvery(86_400_000), 300_000);
    assert.equal(autoEvery(3_600_000), 60_000);
    assert.equal(autoEvery(365 * 86_400_000), 86_400_000);
  });
  it('toPoints turns the energy mean back into dB: 40 and 60 dB(A) average to 57.0, not 50', () => {
    const energy = (10 ** 4 + 10 ** 6) / 2;
    assert.deepEqual(toPoints('noise', ['time', 'laeq', 'lmax', 'lmin', 'l10', 'l90'], [[1000, energy, 70, null, 55, 40]]), [{ t: 1000, laeq: 57.03, lmax: 70, lmin: null, l10: 55, l90: 40 }]);
  });
});
